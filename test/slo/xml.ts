// A small strict XML reader for tests: elements, attributes and text, entities decoded. It throws on anything not
// well-formed (mismatched or unclosed tags, a raw "<" or "&" in text or attributes, duplicate attributes).

/** One XML element. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`unescaped markup in ${where}: ${raw.slice(0, 60)}`);
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e],
  );
}

/** Parses a whole XML document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const src = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < src.length) {
    const lt = src.indexOf('<', pos);
    const text = src.slice(pos, lt === -1 ? src.length : lt);
    if (text.trim()) {
      if (!stack.length) throw new Error(`text outside the root: ${text.slice(0, 40)}`);
      stack[stack.length - 1].text += decode(text, 'text');
    }
    if (lt === -1) break;
    const gt = src.indexOf('>', lt);
    if (gt === -1) throw new Error('unterminated tag');
    const tag = src.slice(lt + 1, gt);
    pos = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}>`);
      if (!stack.length) root = open;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z_][\w.-]*)([\s\S]*?)\/?$/.exec(tag);
    if (!m) throw new Error(`bad tag <${tag}>`);
    const el: XmlElement = { name: m[1], attrs: {}, children: [], text: '' };
    const rest = m[2].replace(/\s+([A-Za-z_][\w.-]*)="([^"]*)"/g, (_, k: string, v: string) => {
      if (Object.hasOwn(el.attrs, k)) throw new Error(`duplicate attribute ${k}`);
      el.attrs[k] = decode(v, `attribute ${k}`);
      return '';
    });
    if (rest.trim()) throw new Error(`bad attributes in <${tag}>`);
    if (stack.length) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error('two roots');
    if (selfClosing) {
      if (!stack.length) root = el;
    } else stack.push(el);
  }
  if (stack.length || !root) throw new Error(`unclosed <${stack[stack.length - 1]?.name ?? 'root'}>`);
  return root;
}

// A strict parser for the Prometheus text exposition format (version 0.0.4), written here because the one npm
// candidate (parse-prometheus-text-format, last released 2019) merges labelled histogram series into one and
// returns values as strings. Like Prometheus' own scraper, any malformed line fails the whole payload.

/** One sample line: `name{labels} value [timestamp]`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

/** Metric family types the format declares. */
export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A parsed exposition: every sample in order, and the declared TYPE and HELP per family name. */
export interface PromExposition {
  samples: PromSample[];
  types: Map<string, PromType>;
  help: Map<string, string>;
}

/** A payload that is not the text exposition format; names the line. */
export class PromParseError extends Error {
  override name = 'PromParseError';
  constructor(
    readonly lineNo: number,
    reason: string,
  ) {
    super(`line ${lineNo}: ${reason}`);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses a Prometheus float: decimals, exponents, NaN, +Inf, -Inf (case-insensitive, as Go's ParseFloat). */
export function parsePromFloat(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  switch (text.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      return undefined;
  }
}

/** Parses a whole exposition; throws PromParseError on the first malformed line. */
export function parseExposition(text: string): PromExposition {
  const out: PromExposition = { samples: [], types: new Map(), help: new Map() };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    if (line.trimStart().startsWith('#')) {
      parseComment(line.trimStart(), lineNo, out);
      continue;
    }
    out.samples.push(parseSampleLine(line, lineNo));
  }
  return out;
}

function parseComment(line: string, lineNo: number, out: PromExposition): void {
  const m = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/.exec(line);
  if (!m) return; // a plain comment
  const [, keyword, name, rest = ''] = m;
  if (!NAME.test(name) || NAME.exec(name)?.[0] !== name) throw new PromParseError(lineNo, `invalid metric name "${name}" in ${keyword}`);
  if (keyword === 'HELP') {
    out.help.set(name, rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')));
    return;
  }
  const type = rest.trim();
  if (!TYPES.has(type)) throw new PromParseError(lineNo, `unknown metric type "${type}"`);
  if (out.types.has(name)) throw new PromParseError(lineNo, `second TYPE line for ${name}`);
  out.types.set(name, type as PromType);
}

/** Parses one sample line. */
function parseSampleLine(line: string, lineNo: number): PromSample {
  let pos = 0;
  const skipBlanks = (): void => {
    while (pos < line.length && (line[pos] === ' ' || line[pos] === '\t')) pos++;
  };
  skipBlanks();
  const nameMatch = NAME.exec(line.slice(pos));
  if (!nameMatch) throw new PromParseError(lineNo, 'expected a metric name');
  const name = nameMatch[0];
  pos += name.length;
  const labels: Record<string, string> = {};
  skipBlanks();
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      skipBlanks();
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const ln = LABEL_NAME.exec(line.slice(pos));
      if (!ln) throw new PromParseError(lineNo, `expected a label name in ${name}`);
      pos += ln[0].length;
      skipBlanks();
      if (line[pos] !== '=') throw new PromParseError(lineNo, `expected "=" after label ${ln[0]}`);
      pos++;
      skipBlanks();
      if (line[pos] !== '"') throw new PromParseError(lineNo, `expected a quoted value for label ${ln[0]}`);
      pos++;
      let value = '';
      for (;;) {
        if (pos >= line.length) throw new PromParseError(lineNo, `unterminated value of label ${ln[0]}`);
        const c = line[pos++];
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new PromParseError(lineNo, `invalid escape "\\${e ?? ''}" in label ${ln[0]}`);
        } else value += c;
      }
      if (Object.hasOwn(labels, ln[0])) throw new PromParseError(lineNo, `duplicate label ${ln[0]}`);
      labels[ln[0]] = value;
      skipBlanks();
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new PromParseError(lineNo, `expected "," or "}" after label ${ln[0]}`);
    }
  }
  const rest = line.slice(pos).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '' || rest.length > 2) throw new PromParseError(lineNo, `expected "value [timestamp]" after ${name}`);
  const value = parsePromFloat(rest[0]);
  if (value === undefined) throw new PromParseError(lineNo, `invalid value "${rest[0].slice(0, 40)}" for ${name}`);
  const sample: PromSample = { name, labels, value };
  if (rest.length === 2) {
    if (!/^-?\d+$/.test(rest[1])) throw new PromParseError(lineNo, `invalid timestamp "${rest[1].slice(0, 40)}" for ${name}`);
    sample.timestampMs = Number(rest[1]);
  }
  return sample;
}

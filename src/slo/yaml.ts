// A small YAML writer for the files perfgate exports (Prometheus rules, promtool tests, Grafana provisioning):
// maps, lists, numbers, booleans and strings, every string double-quoted (a JSON string is a YAML string). Pure.

/** A value the writer can emit. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The key as YAML writes it: bare when plain, quoted otherwise. */
const key = (k: string): string => (KEY.test(k) ? k : JSON.stringify(k));

/** A scalar as YAML. */
function scalar(v: string | number | boolean | null): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : v < 0 ? '-.inf' : '.nan';
  return String(v);
}

/** The lines of a value at an indent. */
function lines(v: YamlValue, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return ['[]'];
    return v.flatMap((item) => {
      const inner = block(item, `${indent}  `);
      if (inner === null) return [`${indent}- ${scalar(item as string)}`];
      const [first, ...rest] = inner;
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined) as Array<[string, YamlValue]>;
    if (entries.length === 0) return ['{}'];
    return entries.flatMap(([k, x]) => {
      const inner = block(x, `${indent}  `);
      if (inner === null) return [`${indent}${key(k)}: ${scalar(x as string)}`];
      if (inner.length === 1 && (inner[0] === '[]' || inner[0] === '{}')) return [`${indent}${key(k)}: ${inner[0]}`];
      return [`${indent}${key(k)}:`, ...inner];
    });
  }
  return [`${indent}${scalar(v)}`];
}

/** The block lines of a list or map, or null for a scalar. */
function block(v: YamlValue, indent: string): string[] | null {
  return v !== null && typeof v === 'object' ? lines(v, indent) : null;
}

/** The YAML document of a value (a map or a list), ending in a newline. */
export function toYaml(v: YamlValue, header?: string): string {
  const head = header ? header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '';
  return `${head}${lines(v, '').join('\n')}\n`;
}

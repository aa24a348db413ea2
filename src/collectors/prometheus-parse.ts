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
// Sticky twins, matched at a position without slicing the line.
const NAME_AT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME_AT = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/** The match of a sticky regex at `pos`, or undefined. */
function matchAt(re: RegExp, line: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(line)?.[0];
}
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

/** Reads a label value from just after its opening quote; returns the value and the position after the closing quote. */
function readLabelValue(line: string, start: number, lineNo: number, labelName: string): [string, number] {
  const close = line.indexOf('"', start);
  const escape = line.indexOf('\\', start);
  if (close >= 0 && (escape < 0 || escape > close)) return [line.slice(start, close), close + 1]; // fast path: no escape
  let value = '';
  let pos = start;
  for (;;) {
    if (pos >= line.length) throw new PromParseError(lineNo, `unterminated value of label ${labelName}`);
    const c = line[pos++];
    if (c === '"') return [value, pos];
    if (c === '\\') {
      const e = line[pos++];
      if (e === 'n') value += '\n';
      else if (e === '\\' || e === '"') value += e;
      else throw new PromParseError(lineNo, `invalid escape "\\${e ?? ''}" in label ${labelName}`);
    } else value += c;
  }
}

/** Parses one sample line. */
function parseSampleLine(line: string, lineNo: number): PromSample {
  let pos = 0;
  const skipBlanks = (): void => {
    while (pos < line.length && (line[pos] === ' ' || line[pos] === '\t')) pos++;
  };
  skipBlanks();
  const name = matchAt(NAME_AT, line, pos);
  if (!name) throw new PromParseError(lineNo, 'expected a metric name');
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
      const labelName = matchAt(LABEL_NAME_AT, line, pos);
      if (!labelName) throw new PromParseError(lineNo, `expected a label name in ${name}`);
      pos += labelName.length;
      skipBlanks();
      if (line[pos] !== '=') throw new PromParseError(lineNo, `expected "=" after label ${labelName}`);
      pos++;
      skipBlanks();
      if (line[pos] !== '"') throw new PromParseError(lineNo, `expected a quoted value for label ${labelName}`);
      let value: string;
      [value, pos] = readLabelValue(line, pos + 1, lineNo, labelName);
      if (Object.hasOwn(labels, labelName)) throw new PromParseError(lineNo, `duplicate label ${labelName}`);
      labels[labelName] = value;
      skipBlanks();
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new PromParseError(lineNo, `expected "," or "}" after label ${labelName}`);
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

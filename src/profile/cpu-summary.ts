// Self time per function from a CPU profile: Clinic flame's samples (stacks, outermost frame first) or a V8
// .cpuprofile (Node's --cpu-prof). Pure: parsed JSON in, the top functions out.

import type { HotFunction } from './types.ts';

/** How many functions a summary lists. */
export const TOP_FUNCTIONS = 10;

/** `file:line` of a URL and a 1-based line, without the `file://` scheme. */
export function location(url: string, line: number | undefined): string {
  const file = url.startsWith('file://') ? decodeURI(url.slice('file://'.length)) : url;
  return line === undefined || line < 1 ? file : `${file}:${line}`;
}

/** Counts per key, ranked into HotFunctions (most samples first, then by name for a stable order). */
function rank(counts: Map<string, { name: string; location: string; samples: number }>, total: number, top: number): HotFunction[] {
  return [...counts.values()]
    .sort((a, b) => b.samples - a.samples || a.name.localeCompare(b.name))
    .slice(0, top)
    .map((f) => ({ ...f, share: total > 0 ? f.samples / total : 0 }));
}

function add(counts: Map<string, { name: string; location: string; samples: number }>, name: string, loc: string, n: number): void {
  const key = `${name}\u0000${loc}`;
  const c = counts.get(key);
  if (c) c.samples += n;
  else counts.set(key, { name: name || '(anonymous)', location: loc, samples: n });
}

/** One frame of Clinic flame's samples: `name` is "<function> <url>:<line>:<column>" for JavaScript. */
interface FlameFrame {
  name?: string;
  type?: string;
}

/** Splits a flame frame name into the function and `file:line`. */
export function parseFlameFrame(raw: string): { name: string; location: string } {
  const m = /^(.*?)\s*(\S+):(\d+):(\d+)$/.exec(raw);
  if (!m) return { name: raw.trim(), location: '' };
  return { name: m[1]!.trim(), location: location(m[2]!, Number(m[3])) };
}

/**
 * Self time from Clinic flame's samples: each sample counts for its innermost JavaScript frame (native frames count
 * for the JavaScript that called them); samples with no JavaScript (idle, the runtime) count only in the total.
 */
export function summarizeFlameSamples(samples: unknown, top = TOP_FUNCTIONS): { functions: HotFunction[]; total: number } {
  if (!Array.isArray(samples)) throw new Error('the flame samples are not an array of stacks');
  const counts = new Map<string, { name: string; location: string; samples: number }>();
  for (const stack of samples as FlameFrame[][]) {
    if (!Array.isArray(stack)) continue;
    for (let i = stack.length - 1; i >= 0; i--) {
      const f = stack[i];
      if (f?.type !== 'JS' || typeof f.name !== 'string') continue;
      const { name, location: loc } = parseFlameFrame(f.name);
      add(counts, name, loc, 1);
      break;
    }
  }
  return { functions: rank(counts, samples.length, top), total: samples.length };
}

/** A V8 CPU profile node (the parts read here). */
interface CpuNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Self time from a .cpuprofile: each sample counts for its node's function. Nodes with no script (idle, the program,
 * the garbage collector) count only in the total.
 */
export function summarizeCpuProfile(profile: unknown, top = TOP_FUNCTIONS): { functions: HotFunction[]; total: number } {
  const p = profile as { nodes?: CpuNode[]; samples?: number[] };
  if (!p || !Array.isArray(p.nodes)) throw new Error('not a V8 CPU profile (no nodes)');
  const hits = new Map<number, number>();
  if (Array.isArray(p.samples) && p.samples.length) for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of p.nodes) hits.set(n.id, n.hitCount ?? 0);
  const counts = new Map<string, { name: string; location: string; samples: number }>();
  let total = 0;
  for (const n of p.nodes) {
    const h = hits.get(n.id) ?? 0;
    total += h;
    if (h === 0 || !n.callFrame.url) continue;
    add(counts, n.callFrame.functionName, location(n.callFrame.url, n.callFrame.lineNumber + 1), h);
  }
  return { functions: rank(counts, total, top), total };
}

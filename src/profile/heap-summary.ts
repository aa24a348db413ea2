// Allocation sites from a V8 sampling heap profile: Clinic heapprofiler's data file or a .heapprofile (Node's
// --heap-prof); both are the tree `{ head: { callFrame, selfSize, children } }`. Pure: parsed JSON in, sites out.

import { location } from './cpu-summary.ts';
import type { AllocationSite } from './types.ts';

/** How many allocation sites a summary lists. */
export const TOP_SITES = 10;

/** A node of the sampling heap profile's tree. */
interface HeapNode {
  callFrame?: { functionName?: string; url?: string; lineNumber?: number };
  selfSize?: number;
  children?: HeapNode[];
}

/** The allocation sites with the most sampled bytes: selfSize summed per function and location, most first. */
export function summarizeHeapProfile(profile: unknown, top = TOP_SITES): { sites: AllocationSite[]; total: number } {
  const head = (profile as { head?: HeapNode } | null)?.head;
  if (!head || typeof head !== 'object') throw new Error('not a V8 sampling heap profile (no head)');
  const sites = new Map<string, { name: string; location: string; bytes: number }>();
  let total = 0;
  const stack: HeapNode[] = [head];
  for (let guard = 0; stack.length && guard < 10_000_000; guard++) {
    const node = stack.pop()!;
    for (const c of node.children ?? []) stack.push(c);
    const bytes = node.selfSize ?? 0;
    if (bytes <= 0) continue;
    total += bytes;
    const cf = node.callFrame ?? {};
    const name = cf.functionName || '(anonymous)';
    const loc = location(cf.url ?? '', (cf.lineNumber ?? -1) + 1);
    const key = `${name}\u0000${loc}`;
    const s = sites.get(key);
    if (s) s.bytes += bytes;
    else sites.set(key, { name, location: loc, bytes });
  }
  const ranked = [...sites.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, top);
  return { sites: ranked.map((s) => ({ ...s, share: total > 0 ? s.bytes / total : 0 })), total };
}

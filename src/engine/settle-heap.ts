// Collects the garbage that loading and preparing left behind, before the load starts, so the first seconds of a
// run are not paced by the collector (start-up garbage otherwise costs scavenges of 3-8 ms and a mark-compact).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Runs a full garbage collection in this isolate (exposing V8's gc function once, if the process did not). */
export function settleHeap(): void {
  if (!gc) {
    if (typeof globalThis.gc === 'function') gc = globalThis.gc;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}

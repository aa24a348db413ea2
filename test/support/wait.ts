// Waiting on an observed condition instead of a fixed sleep: poll until it holds, fail with what was waited for.

import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves with the first truthy value of `check` (polled every `everyMs`); throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${what}`);
    await sleep(opts.everyMs ?? 25);
  }
}

// The ledger of acknowledged writes: during a recovery drill the harness itself sends a steady stream of
// `POST /api/v1/reports` and records each one the API acknowledged (201, its id, when it was sent and answered),
// so what is lost after a recovery is measured, not inferred.

import type { LedgerEntry } from './measure.ts';

/** Options of startWriteLedger. */
export interface LedgerOptions {
  targetUrl: string;
  /** The run clock (ms since the load started). */
  clock: () => number;
  /** Ends the writer early (the run's end). */
  signal: AbortSignal;
  /** The client the writes are made as (default the lab's load client). */
  clientId?: string;
  clientSecret?: string;
  /** A ticker of the seed, which the reports are written on. */
  ticker: string;
  /** Pause between writes in ms (default 50: about 15 writes/s on the lab). */
  pauseMs?: number;
  /** Give up on one write after this long (default 2,000 ms): a hung database must not stall the ledger. */
  timeoutMs?: number;
  /** At most this many writes in all (default 100,000). */
  maxWrites?: number;
}

/** A running ledger. */
export interface WriteLedger {
  /** Every acknowledged write so far, in the order of their answers. */
  readonly entries: readonly LedgerEntry[];
  /** Writes that failed (an error, a timeout or a status other than 201). */
  readonly failures: number;
  /** When each failed write was sent (run clock, ms), the first 10,000. */
  readonly failedAtMs: readonly number[];
  /** The first write sent at or after tMs that was acknowledged, once there is one. */
  firstAckSentAfter(tMs: number): LedgerEntry | undefined;
  /** Resolves with the first write sent at or after tMs that is acknowledged, or undefined at the deadline. */
  waitForAckAfter(tMs: number, deadlineMs: number): Promise<LedgerEntry | undefined>;
  /** Stops writing and waits for the write in flight. */
  stop(): Promise<void>;
}

/** Gets an access token for the ledger's client (client_credentials). */
export async function ledgerToken(targetUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${targetUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, clientSecret }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`the ledger's client could not log in: ${res.status}`);
  return body.access_token;
}

/** One write: the id on a 201, otherwise undefined. */
async function writeOnce(url: string, token: string, ticker: string, seq: number, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ticker, title: `Ledger write ${seq}`, rating: 'hold', summary: 'Recovery drill ledger entry.' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as { id?: unknown };
    return res.status === 201 && typeof body.id === 'string' ? body.id : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the ledger's writer (one write at a time) and returns at once; the token is fetched before. */
export function startWriteLedger(o: LedgerOptions & { token: string }): WriteLedger {
  // loop: write -> 201? record {id, sentMs, ackedMs} : count the failure -> pause -> until stopped / maxWrites
  const entries: LedgerEntry[] = [];
  const failedAtMs: number[] = [];
  let failures = 0;
  const stopped = new AbortController();
  const onAbort = () => stopped.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const url = `${o.targetUrl}/api/v1/reports`;
  const pauseMs = o.pauseMs ?? 50;
  const loop = (async () => {
    for (let seq = 1; seq <= (o.maxWrites ?? 100_000) && !stopped.signal.aborted; seq++) {
      const sentMs = o.clock();
      const id = await writeOnce(url, o.token, o.ticker, seq, o.timeoutMs ?? 2_000);
      if (id !== undefined) entries.push({ id, sentMs, ackedMs: o.clock() });
      else if (++failures <= 10_000) failedAtMs.push(sentMs);
      await pause(pauseMs, stopped.signal);
    }
  })();
  const firstAckSentAfter = (tMs: number) => entries.find((e) => e.sentMs >= tMs);
  return {
    entries,
    get failures() {
      return failures;
    },
    failedAtMs,
    firstAckSentAfter,
    waitForAckAfter: async (tMs, deadlineMs) => {
      for (let i = 0; i < 1_000_000 && o.clock() < deadlineMs && !stopped.signal.aborted; i++) {
        const found = firstAckSentAfter(tMs);
        if (found) return found;
        await pause(25, stopped.signal);
      }
      return firstAckSentAfter(tMs);
    },
    stop: async () => {
      stopped.abort();
      o.signal.removeEventListener('abort', onAbort);
      await loop;
    },
  };
}

/** Waits ms, or less when the signal fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

// The market-data provider client: undici with a timeout that aborts the socket, behind an opossum circuit breaker.

import CircuitBreaker from 'opossum';
import { Agent, request } from 'undici';

/** A quote as the provider returns it. */
export interface Quote {
  ticker: string;
  price: number;
  change: number;
  volume: number;
  asOf: string;
}

/** The provider answered with an error status. */
export class UpstreamStatusError extends Error {
  constructor(readonly statusCode: number) {
    super(`upstream answered ${statusCode}`);
    this.name = 'UpstreamStatusError';
  }
}

/** Breaker and timeout settings. */
export interface QuoteClientOptions {
  upstreamUrl: string;
  timeoutMs: number;
  resetMs: number;
  volumeThreshold: number;
  onStateChange: (state: 'closed' | 'halfOpen' | 'open') => void;
}

/** Calls the provider through the breaker; `fetch` rejects with EOPENBREAKER while the breaker is open. */
export interface QuoteClient {
  fetch(ticker: string): Promise<Quote>;
  state(): 'closed' | 'halfOpen' | 'open';
  close(): Promise<void>;
}

/** Creates the client. Every call gets its own AbortSignal, so a timeout destroys that call's socket only. */
export function createQuoteClient(options: QuoteClientOptions): QuoteClient {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000, connectTimeout: options.timeoutMs });
  const base = options.upstreamUrl.replace(/\/+$/, '');
  const call = async (ticker: string): Promise<Quote> => {
    const res = await request(`${base}/quotes/${encodeURIComponent(ticker)}`, {
      dispatcher: agent,
      signal: AbortSignal.timeout(options.timeoutMs),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      throw new UpstreamStatusError(res.statusCode);
    }
    return (await res.body.json()) as Quote;
  };
  const breaker = new CircuitBreaker(call, {
    timeout: false, // the AbortSignal above is the timeout, and it really closes the socket
    errorThresholdPercentage: 50,
    volumeThreshold: options.volumeThreshold,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
    resetTimeout: options.resetMs,
    // An unknown ticker is the caller's problem, not the provider failing.
    errorFilter: (err: unknown) => err instanceof UpstreamStatusError && err.statusCode === 404,
  });
  breaker.on('open', () => options.onStateChange('open'));
  breaker.on('halfOpen', () => options.onStateChange('halfOpen'));
  breaker.on('close', () => options.onStateChange('closed'));
  return {
    fetch: (ticker) => breaker.fire(ticker),
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    async close() {
      breaker.shutdown();
      await agent.close().catch(() => undefined);
    },
  };
}

/** Whether an error means the breaker refused the call without trying. */
export function isBreakerOpen(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'EOPENBREAKER';
}

// A VU's redirect chain: follows the hops of one step's request (up to its maxRedirects), on the VU's connection
// within the target's origin and through the host guard elsewhere, and sums what every hop cost so the step records
// one request. The header and method rules of a hop are src/engine/redirect.ts.

import { performance } from 'node:perf_hooks';
import { connectTargetOf, HttpConnection, type RequestOutcome, type TimeoutSweeper } from './http-connection.ts';
import { isIdempotent, REDIRECT_STATUSES, redirectMethod, redirectRequest, requestLine } from './redirect.ts';
import { guardRedirect, type ResolvedTarget } from './host-guard.ts';
import type { CompiledHttpStep } from './plan.ts';

/** What every VU's chains share in an engine: the target's origin and the host guard's inputs. */
export interface RedirectShared {
  /** The target's origin (`http://host:port`, lower-case): redirects elsewhere go through the host guard. */
  origin: string;
  /** Accept any TLS certificate (also on hosts redirects lead to). */
  insecureSkipTLSVerify: boolean;
  /** A CA (PEM) trusted beside Node's roots, on every host (the lab's CA, or --ca-file). */
  tlsCa?: string;
  /** Hosts a redirect may lead to besides loopback (--allow-host, target.allowHosts). */
  allowHosts: readonly string[];
  /** Other origins redirects led to, resolved and cleared once per engine. */
  cleared: Map<string, Promise<ResolvedTarget>>;
  sweeper: TimeoutSweeper;
}

/** How a chain talks back to its VU: a hop's response, a chain that cannot go on, whether the iteration still runs. */
export interface ChainCallbacks {
  onResponse(o: RequestOutcome, sentAtMs: number, sent: Buffer): void;
  fail(errorClass: 'protocol' | 'host_not_allowed'): void;
  current(): boolean;
}

/** One VU's redirect state: the hops of the request in flight and the connections to other origins. */
export class RedirectChain {
  /** Hops followed so far in this chain. */
  hops = 0;
  /** Bytes of the hops before the last response. */
  bytesIn = 0;
  bytesOut = 0;
  /** Time to first byte of the first hop, µs (-1 until known). */
  firstWaitingUs = -1;
  private origin = '';
  private readonly otherConns = new Map<string, HttpConnection>();

  constructor(
    private readonly shared: RedirectShared,
    private readonly home: HttpConnection,
  ) {}

  /** Whether the chain's last request went to the target's origin (whose cookies the VU keeps). */
  atHome(): boolean {
    return this.origin === this.shared.origin;
  }

  /** Starts a chain for a new request to the target. */
  reset(): void {
    this.hops = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.firstWaitingUs = -1;
    this.origin = this.shared.origin;
  }

  /** Whether a response is a redirect the step still follows; if so, its costs join the chain's. */
  takes(step: CompiledHttpStep, o: RequestOutcome, sentAtMs: number): boolean {
    if (o.location === undefined || this.hops >= step.maxRedirects || !REDIRECT_STATUSES.has(o.status)) return false;
    this.hops++;
    this.bytesIn += o.bytesIn;
    this.bytesOut += o.bytesOut;
    if (this.firstWaitingUs < 0 && o.firstByteAtMs > 0) this.firstWaitingUs = (o.firstByteAtMs - sentAtMs) * 1000;
    return true;
  }

  /** Sends the next request of the chain: on the same connection within the origin, else through the host guard. */
  follow(step: CompiledHttpStep, location: string, status: number, sent: Buffer, cb: ChainCallbacks): void {
    const line = requestLine(sent);
    let url: URL;
    try {
      url = new URL(location, this.origin + line.path);
    } catch {
      return cb.fail('protocol');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return cb.fail('protocol');
    const origin = `${url.protocol}//${url.host}`.toLowerCase();
    const next = redirectRequest(sent, status, { pathAndQuery: url.pathname + url.search, hostHeader: url.host, crossOrigin: origin !== this.origin, crossOriginDrop: step.crossOriginDrop });
    const send = (conn: HttpConnection) => {
      this.origin = origin;
      const method = redirectMethod(line.method, status);
      const sentAtMs = performance.now();
      const opts = { collectBody: step.collectBody, head: method === 'HEAD', timeoutMs: step.timeoutMs, idempotent: isIdempotent(method) };
      conn.request(next, opts, (o) => cb.onResponse(o, sentAtMs, next));
    };
    if (origin === this.shared.origin) return send(this.home);
    const known = this.otherConns.get(origin);
    if (known) return send(known);
    this.clear(url, origin).then(
      (t) => {
        if (!cb.current()) return;
        let conn = this.otherConns.get(origin);
        if (!conn) this.otherConns.set(origin, (conn = new HttpConnection(connectTargetOf(t, this.shared.insecureSkipTLSVerify, this.shared.tlsCa), this.shared.sweeper)));
        send(conn);
      },
      () => {
        if (cb.current()) cb.fail('host_not_allowed');
      },
    );
  }

  /** The host guard's answer for another origin, asked once per engine. */
  private clear(url: URL, origin: string): Promise<ResolvedTarget> {
    let cleared = this.shared.cleared.get(origin);
    if (!cleared) this.shared.cleared.set(origin, (cleared = guardRedirect(url.toString(), this.shared.origin, this.shared.allowHosts)));
    return cleared;
  }

  /** Closes the connections to other origins. */
  destroy(): void {
    for (const c of this.otherConns.values()) c.destroy();
    this.otherConns.clear();
  }
}

// One keep-alive HTTP/1.1 connection on node:net (node:tls for https), owned by one VU: pre-serialised request
// bytes out, the minimal parser of http-parser.ts in. Timeouts really abort: the sweeper destroys the socket.

import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls, createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { ErrorClass } from '../results/format.ts';
import { ParseResult, ResponseParser } from './http-parser.ts';
import { classifyError } from './error-class.ts';

/** Where to connect: an address already resolved and checked by the host guard. */
export interface ConnectTarget {
  address: string;
  port: number;
  /**
   * TLS (https): the server name to present and verify, whether a certificate that does not verify is refused, and
   * a secure context that adds CA certificates to Node's bundled roots.
   */
  tls?: { servername: string; rejectUnauthorized: boolean; secureContext?: SecureContext };
}

const extraCaContexts = new Map<string, SecureContext>();

/** The CA list that trusts `ca` (PEM) beside Node's bundled roots, as NODE_EXTRA_CA_CERTS does: the one rule of every https client of a run. */
export function caWithRoots(ca: string): string[] {
  return [...rootCertificates, ca];
}

/** A secure context trusting Node's bundled roots plus `ca` (PEM), made once per CA (parsing the roots costs milliseconds). */
function withExtraCa(ca: string): SecureContext {
  let ctx = extraCaContexts.get(ca);
  if (!ctx) extraCaContexts.set(ca, (ctx = createSecureContext({ ca: caWithRoots(ca) })));
  return ctx;
}

/**
 * The connect target of a resolved host; `insecureSkipTLSVerify` accepts any certificate (k6's option), `tlsCa`
 * (PEM) is trusted beside Node's bundled roots (the lab's CA, or --ca-file).
 */
export function connectTargetOf(t: { protocol: string; hostname: string; address: string; port: number }, insecureSkipTLSVerify = false, tlsCa?: string): ConnectTarget {
  const target: ConnectTarget = { address: t.address, port: t.port };
  if (t.protocol === 'https:') target.tls = { servername: t.hostname, rejectUnauthorized: !insecureSkipTLSVerify, ...(tlsCa ? { secureContext: withExtraCa(tlsCa) } : {}) };
  return target;
}

/** The result of one request: a status, or the class of the error that ended it. */
export interface RequestOutcome {
  /** 0 when no response arrived. */
  status: number;
  errorClass?: ErrorClass;
  errorMessage?: string;
  /** performance.now() when the first response byte arrived (0 when none did). */
  firstByteAtMs: number;
  /** performance.now() when the request ended (response complete, error or timeout). */
  endAtMs: number;
  bytesIn: number;
  bytesOut: number;
  /** The body, when collectBody was asked. */
  body?: Buffer;
  /** The `location` header of a redirect. */
  location?: string;
  /** The `set-cookie` headers of the response. */
  setCookies?: string[];
}

/** Per-request options. */
export interface RequestOptions {
  collectBody: boolean;
  /** HEAD request: the response has no body. */
  head: boolean;
  timeoutMs: number;
  /** Safe to resend when a reused keep-alive socket turns out closed before any response byte (GET, HEAD, PUT, DELETE, OPTIONS). */
  idempotent?: boolean;
}

type Callback = (outcome: RequestOutcome) => void;

/** Checks in-flight requests for timeouts every few ms; one per engine instead of one timer per request. */
export class TimeoutSweeper {
  private readonly inflight = new Set<HttpConnection>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs = 20) {}

  /** Watches a connection while a request is in flight. */
  add(conn: HttpConnection): void {
    this.inflight.add(conn);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.periodMs);
      this.timer.unref();
    }
  }

  /** Stops watching a connection. */
  delete(conn: HttpConnection): void {
    this.inflight.delete(conn);
  }

  /** Fails every request past its deadline. */
  sweep(now = performance.now()): void {
    for (const conn of this.inflight) conn.checkTimeout(now);
  }

  /** Stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** A keep-alive connection; one request at a time. */
export class HttpConnection {
  private socket: Socket | null = null;
  private readonly parser = new ResponseParser();
  private cb: Callback | null = null;
  private req: Buffer | null = null;
  private opts: RequestOptions | null = null;
  private deadlineMs = 0;
  private firstByteAtMs = 0;
  private reused = false;
  private retried = false;

  constructor(
    private readonly target: ConnectTarget,
    private readonly sweeper: TimeoutSweeper,
  ) {}

  /** Whether a request is in flight. */
  get busy(): boolean {
    return this.cb !== null;
  }

  /** Sends a request; `cb` is called exactly once with its outcome. */
  request(bytes: Buffer, opts: RequestOptions, cb: Callback): void {
    this.cb = cb;
    this.req = bytes;
    this.opts = opts;
    this.firstByteAtMs = 0;
    this.retried = false;
    this.deadlineMs = performance.now() + opts.timeoutMs;
    this.sweeper.add(this);
    this.send();
  }

  /**
   * Opens the socket ahead of the first request, so connection set-up does not bunch the first requests together.
   * Resolves once connected, failed or after timeoutMs; a failure is not reported (the first request reconnects).
   */
  preconnect(timeoutMs: number): Promise<void> {
    if (this.socket !== null) return Promise.resolve();
    const socket = (this.socket = this.open());
    const ready = this.target.tls ? 'secureConnect' : 'connect';
    return new Promise((resolve) => {
      const timer = setTimeout(settle, timeoutMs);
      function settle(): void {
        clearTimeout(timer);
        socket.off(ready, settle).off('error', settle).off('close', settle);
        resolve();
      }
      socket.once(ready, settle).once('error', settle).once('close', settle);
    });
  }

  private send(): void {
    const opts = this.opts!;
    this.parser.reset(opts.collectBody, opts.head);
    if (this.socket === null) {
      this.reused = false;
      this.socket = this.open();
    } else {
      this.reused = true;
    }
    this.socket.write(this.req!);
  }

  private open(): Socket {
    const { address, port, tls } = this.target;
    const socket: Socket = tls
      ? connectTls({
          host: address,
          port,
          // SNI takes a host name only; the certificate is still checked against it (or the IP address).
          servername: isIP(tls.servername) ? '' : tls.servername,
          rejectUnauthorized: tls.rejectUnauthorized,
          ...(tls.secureContext ? { secureContext: tls.secureContext } : {}),
          ALPNProtocols: ['http/1.1'],
        })
      : connect({ host: address, port });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      this.onData(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (socket !== this.socket) return;
      this.onClosed(err);
    });
    socket.on('close', () => {
      if (socket !== this.socket) return;
      this.onClosed(undefined);
    });
    return socket;
  }

  private onData(chunk: Buffer): void {
    if (!this.cb) {
      // Bytes with no request in flight: the server is confused; start afresh.
      this.drop();
      return;
    }
    if (this.firstByteAtMs === 0) this.firstByteAtMs = performance.now();
    const r = this.parser.execute(chunk);
    if (r === ParseResult.More) return;
    if (r === ParseResult.Error) {
      this.drop();
      this.finish({ code: 'PERFGATE_PROTOCOL', message: this.parser.error });
      return;
    }
    if (!this.parser.keepAlive || this.parser.leftover) this.drop();
    this.finish(undefined);
  }

  private onClosed(err: NodeJS.ErrnoException | undefined): void {
    this.socket = null;
    if (!this.cb) return;
    if (this.parser.readsUntilEof && !err) {
      this.parser.finishOnEof();
      this.finish(undefined);
      return;
    }
    // A keep-alive socket the server closed while idle: retry once on a fresh one if nothing came back.
    if (this.reused && !this.retried && !this.parser.started && this.opts!.idempotent) {
      this.retried = true;
      this.send();
      return;
    }
    this.finish(err ?? { code: 'PERFGATE_CLOSED', message: 'connection closed before the response was complete' });
  }

  /** Called by the sweeper: fails the request and destroys the socket when past its deadline. */
  checkTimeout(now: number): void {
    if (this.cb && now >= this.deadlineMs) {
      this.drop();
      this.finish({ code: 'PERFGATE_TIMEOUT', message: `no complete response within ${this.opts!.timeoutMs} ms` }, this.deadlineMs);
    }
  }

  private finish(err: { code?: string; message?: string } | undefined, endAtMs = performance.now()): void {
    const cb = this.cb!;
    const p = this.parser;
    this.cb = null;
    this.sweeper.delete(this);
    const outcome: RequestOutcome = {
      status: err ? 0 : p.statusCode,
      firstByteAtMs: this.firstByteAtMs,
      endAtMs,
      bytesIn: p.bytes,
      bytesOut: this.req!.length,
    };
    if (err) {
      outcome.errorClass = classifyError(err);
      outcome.errorMessage = err.message;
    } else {
      if (p.collectBody) outcome.body = p.body();
      if (p.location !== undefined) outcome.location = p.location;
      if (p.setCookies !== undefined) outcome.setCookies = p.setCookies;
    }
    this.req = null;
    cb(outcome);
  }

  private drop(): void {
    const s = this.socket;
    this.socket = null;
    if (s) s.destroy();
  }

  /** Aborts any request in flight without reporting it, and closes the socket. */
  destroy(): void {
    if (this.cb) {
      this.cb = null;
      this.sweeper.delete(this);
    }
    this.drop();
  }
}

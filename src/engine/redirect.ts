// Following redirects the way browsers and k6 do (pure): which statuses redirect, the method and body the next
// request keeps, and the headers it drops when it leaves the origin: credentials always, and every header the
// scenario set unless the step names it in `redirectHeaders`.

/** Statuses that carry a Location to follow. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** k6's default for `maxRedirects`. */
export const DEFAULT_MAX_REDIRECTS = 10;

/** Headers that never follow a redirect to another origin, whatever a step's `redirectHeaders` says. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Headers that describe a body, dropped when the redirect turns the request into a GET. */
const BODY_HEADERS = new Set(['content-length', 'content-type', 'content-encoding', 'transfer-encoding']);

/** Methods safe to resend once on a keep-alive socket found closed before any response byte. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Whether a request with this method may be resent once (see IDEMPOTENT_METHODS). */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method);
}

/** The method and path of a serialised request. */
export function requestLine(request: Buffer): { method: string; path: string } {
  const end = request.indexOf('\r\n');
  const [method = '', path = ''] = request.toString('latin1', 0, end < 0 ? request.length : end).split(' ');
  return { method, path };
}

/** The method after a redirect: 303 turns anything but HEAD into GET; 301 and 302 turn POST into GET; 307 and 308 keep it. */
export function redirectMethod(method: string, status: number): string {
  if (status === 303 && method !== 'HEAD') return 'GET';
  if ((status === 301 || status === 302) && method === 'POST') return 'GET';
  return method;
}

/** Where a redirect leads: the next request's path, Host header, and whether it leaves the current origin. */
export interface RedirectHop {
  pathAndQuery: string;
  hostHeader: string;
  crossOrigin: boolean;
  /** Lower-case names of further headers to drop when the hop is cross-origin (the scenario's own, see crossOriginDrops). */
  crossOriginDrop?: ReadonlySet<string>;
}

/**
 * The headers a step's request loses on a hop to another origin: credentials, and every header the scenario set
 * except those named in `keep` (`redirectHeaders`). The headers perfgate adds itself (Host, and User-Agent, Accept and
 * Content-Type when the step does not set them) and the framing of a body that is resent are not the scenario's.
 */
export function crossOriginDrops(scenarioHeaders: Iterable<string>, keep: Iterable<string> = []): ReadonlySet<string> {
  const kept = new Set([...keep].map((k) => k.toLowerCase()));
  const drop = new Set(CREDENTIAL_HEADERS);
  for (const name of scenarioHeaders) {
    const n = name.toLowerCase();
    if (!kept.has(n) && !BODY_HEADERS.has(n)) drop.add(n);
  }
  return drop;
}

/** Where a redirect goes: the next request's bytes, given the original request and the resolved location. */
export function redirectRequest(original: Buffer, status: number, next: RedirectHop): Buffer {
  const headEnd = original.indexOf('\r\n\r\n');
  const head = original.toString('latin1', 0, headEnd < 0 ? original.length : headEnd);
  const body = headEnd < 0 ? Buffer.alloc(0) : original.subarray(headEnd + 4);
  const [first = '', ...lines] = head.split('\r\n');
  const method = first.split(' ')[0] ?? 'GET';
  const nextMethod = redirectMethod(method, status);
  const dropBody = nextMethod !== method;
  let out = `${nextMethod} ${next.pathAndQuery} HTTP/1.1\r\n`;
  for (const line of lines) {
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    if (name === 'host') out += `Host: ${next.hostHeader}\r\n`;
    else if (dropBody && BODY_HEADERS.has(name)) continue;
    else if (next.crossOrigin && (CREDENTIAL_HEADERS.has(name) || next.crossOriginDrop?.has(name))) continue;
    else out += `${line}\r\n`;
  }
  out += '\r\n';
  return dropBody || body.length === 0 ? Buffer.from(out, 'latin1') : Buffer.concat([Buffer.from(out, 'latin1'), body]);
}

// A VU's cookie jar, as k6 keeps one per VU: the target's `Set-Cookie` answers are kept and sent back on the
// following requests to the target whose path they match (RFC 6265 section 5.1.4), until they expire. Only the
// target's origin is served (cookies of other origins a redirect reached are not kept), `Secure` cookies go over
// https only, and the jar never leaves the VU's memory (no file or log sees a value).

/** One stored cookie. */
interface Cookie {
  value: string;
  path: string;
  secure: boolean;
  /** performance.now() time it expires at; undefined: a session cookie (lives as long as the jar). */
  expiresAtMs?: number;
}

/** The cookies of one VU for the target. */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  constructor(private readonly https: boolean) {}

  /** Number of cookies held (expired ones included until they are next looked at). */
  get size(): number {
    return this.cookies.size;
  }

  /** Forgets every cookie (k6 does so at the start of each iteration unless `noCookiesReset`). */
  clear(): void {
    this.cookies.clear();
  }

  /** Stores the `Set-Cookie` headers of a response to `requestPath` (its path and query), at `nowMs`. */
  store(setCookies: readonly string[], requestPath: string, nowMs: number): void {
    for (const header of setCookies) {
      const parsed = parseSetCookie(header, requestPath, nowMs);
      if (!parsed) continue;
      const [name, cookie] = parsed;
      const key = `${name}\u0000${cookie.path}`;
      if (cookie.expiresAtMs !== undefined && cookie.expiresAtMs <= nowMs) this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
  }

  /** The `Cookie` header value for a request to `requestPath`, or undefined when no cookie applies. */
  header(requestPath: string, nowMs: number): string | undefined {
    if (this.cookies.size === 0) return undefined;
    const path = pathOf(requestPath);
    const out: Array<[string, Cookie]> = [];
    for (const [key, c] of this.cookies) {
      if (c.expiresAtMs !== undefined && c.expiresAtMs <= nowMs) {
        this.cookies.delete(key);
        continue;
      }
      if ((c.secure && !this.https) || !pathMatches(path, c.path)) continue;
      out.push([key.slice(0, key.indexOf('\u0000')), c]);
    }
    if (out.length === 0) return undefined;
    // Longer paths first (RFC 6265 section 5.4), else in the order they were set.
    out.sort((a, b) => b[1].path.length - a[1].path.length);
    return out.map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/** The path of a request target, without its query. */
function pathOf(requestPath: string): string {
  const q = requestPath.search(/[?#]/);
  const p = q < 0 ? requestPath : requestPath.slice(0, q);
  return p.startsWith('/') ? p : '/';
}

/** The default path of a cookie: the request path up to its last `/` (RFC 6265 section 5.1.4). */
function defaultPath(requestPath: string): string {
  const p = pathOf(requestPath);
  const last = p.lastIndexOf('/');
  return last <= 0 ? '/' : p.slice(0, last);
}

/** RFC 6265 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** A `Set-Cookie` header as [name, cookie], or undefined when it has no name=value pair. */
export function parseSetCookie(header: string, requestPath: string, nowMs: number): [string, Cookie] | undefined {
  const [pair, ...attrs] = header.split(';');
  const eq = pair!.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair!.slice(0, eq).trim();
  if (!name) return undefined;
  const cookie: Cookie = { value: pair!.slice(eq + 1).trim(), path: defaultPath(requestPath), secure: false };
  let maxAgeSeen = false;
  for (const a of attrs) {
    const i = a.indexOf('=');
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : a.slice(i + 1).trim();
    if (key === 'path' && val.startsWith('/')) cookie.path = val;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) {
      maxAgeSeen = true;
      cookie.expiresAtMs = nowMs + Number(val) * 1000;
    } else if (key === 'expires' && !maxAgeSeen) {
      const at = Date.parse(val);
      if (Number.isFinite(at)) cookie.expiresAtMs = nowMs + (at - Date.now());
    }
  }
  return [name, cookie];
}

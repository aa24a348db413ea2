// The harness's one place for secret redaction: passwords and tokens in URLs (userinfo, query parameters), secret
// `key=value` pairs in free text, known secret values, secret-named fields of records, and request bodies reduced to
// their shape. Secrets never reach logs, run directories or reports. (The target keeps its own copy in
// src/target/config.ts: it never imports the harness.)
//
// The rule (README "Safety"): a name is secret when it contains auth, token, key, secret, signature, session, cookie,
// passw(ord), passphrase or credential, or is one of the short forms pw, pwd, pass, sig (case-insensitive). It applies
// to header names, query and form parameters, `name=value` pairs in free text and record fields alike.

/** What a secret is replaced with, everywhere. */
export const REDACTED = '***';

/** The words that make a name secret (README "Safety"), and the short forms that are secret only as a whole name. */
const SECRET_WORDS = 'auth|token|key|secret|signature|session|cookie|passw|passphrase|credential';
const SECRET_SHORT = 'pw|pwd|pass|sig';

/** Names (object keys, query and form parameters, headers) whose values are secrets. */
export const SECRET_KEY = new RegExp(`${SECRET_WORDS}|^(?:${SECRET_SHORT})$`, 'i');

/** scheme://user:password@ anywhere in a text (postgres://, redis://, http://, ...), the password possibly empty. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"'<>]*):([^\s/@"'<>]*)@/gi;
/** scheme://<long token>@: a token passed as the user name alone. */
const URL_USER_ONLY_TOKEN = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"'<>]{16,})@/gi;
/** Secret `name=value` pairs in free text (query strings, libpq keyword strings, error messages, body text). */
const SECRET_PAIR = new RegExp(`(?<![\\w.-])(?:[\\w.-]*(?:${SECRET_WORDS})[\\w.-]*|${SECRET_SHORT})=[^&\\s"'<>]*`, 'gi');
/** A `key=value` pair at the start of a form body or after ? or & in a query string. */
const PARAM = /(^|[?&])([^=&#?/]*)=([^&#]*)/g;

/** Free text with credentials removed: URL passwords and token user names, secret `name=value` pairs, and each of `secrets` (3+ chars). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join(REDACTED);
  }
  if (!out.includes('://') && !out.includes('=')) return out;
  return out
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(URL_USER_ONLY_TOKEN, (_m, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(SECRET_PAIR, (m) => `${m.slice(0, m.indexOf('='))}=${REDACTED}`);
}

/** Query or form `key=value` pairs whose key is secret-named (SECRET_KEY) get the value REDACTED (`a=1&password=x`). */
export function redactParams(text: string): string {
  return text.replace(PARAM, (m, sep: string, key: string) => (SECRET_KEY.test(key) ? `${sep}${key}=${REDACTED}` : m));
}

/** A URL, or a request path (`/x?key=...`), with its password, token user name and secret-named query parameters replaced; otherwise kept as written. */
export function redactUrl(url: string): string {
  const out = redactText(url);
  return out.includes('://') || (out.startsWith('/') && out.includes('?')) ? redactParams(out) : out;
}

/** The secrets inside a connection string (its password, raw and decoded, and secret query values), for redactText. */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (u.password) {
    out.push(u.password);
    try {
      out.push(decodeURIComponent(u.password));
    } catch {
      // a malformed escape: the raw form is enough
    }
  }
  for (const [key, value] of u.searchParams) if (SECRET_KEY.test(key) && value) out.push(value);
  return out;
}

/** How redactDeep treats strings and secret-named keys. */
export interface RedactDeepOptions {
  /** Applied to every string that is not replaced outright (default redactText). */
  text?: (s: string) => string;
  /** Values of secret-named keys that become REDACTED: non-empty strings (default), every defined value, or none. */
  byKey?: 'strings' | 'all' | 'none';
}

/** Deep copy of a value with every string redacted and the values of secret-named keys replaced; the input is not modified. */
export function redactDeep<T>(value: T, options: RedactDeepOptions = {}): T {
  return walk(value, options.text ?? redactText, options.byKey ?? 'strings') as T;
}

function walk(value: unknown, text: (s: string) => string, byKey: 'strings' | 'all' | 'none'): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, text, byKey));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretField(k, v, byKey) ? REDACTED : walk(v, text, byKey);
    return out;
  }
  return value;
}

function isSecretField(key: string, value: unknown, byKey: 'strings' | 'all' | 'none'): boolean {
  if (byKey === 'none' || !SECRET_KEY.test(key)) return false;
  return byKey === 'all' ? value !== undefined : typeof value === 'string' && value !== '';
}

/** A value's shape: object keys kept, every other value replaced by its type (`<string>`, `<number>`, ...). */
export function shapeOf(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  if (typeof value === 'string' && FORM.test(value)) return value.split('&').map((pair) => `${pair.slice(0, pair.indexOf('='))}=<string>`).join('&');
  return `<${typeof value}>`;
}

/** A whole string of `key=value` pairs joined by `&` (a form body). */
const FORM = /^[^=&\s]+=[^&]*(?:&[^=&\s]+=[^&]*)*$/;

// Defensive redaction: run.json is already redacted by the writer, but the report redacts again, so a password in
// a URL or a secret-named field can never reach report.html or a chart.

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"'<>]*):([^\s/@"'<>]*)@/gi;
const URL_USER_ONLY_TOKEN = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"'<>]{16,})@/gi;
const SECRET_PARAMS = /([?&;](?:password|passwd|pwd|token|access_token|api_key|apikey|secret|client_secret|sslpassword)=)[^&#\s"'<>]*/gi;
const SECRET_KEY = /pass(word|wd)?$|secret|token|authorization|api[-_]?key|cookie|credential/i;

/** The text marking a redacted secret. */
export const REDACTED = '[redacted]';

/** Removes credentials from URLs in a string (`postgres://app:pw@h` -> `postgres://app:[redacted]@h`) and secret query parameters. */
export function redactSecrets(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string, pass: string) => (pass === REDACTED ? `${scheme}${user}:${pass}@` : `${scheme}${user}:${REDACTED}@`))
    .replace(URL_USER_ONLY_TOKEN, (_m, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(SECRET_PARAMS, (_m, key: string) => `${key}${REDACTED}`);
}

/** Deep copy of a value with every string redacted and the values of secret-named keys replaced. */
export function redactDeep<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return key !== undefined && SECRET_KEY.test(key) && value !== '' ? REDACTED : redactSecrets(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
    return out;
  }
  return value;
}

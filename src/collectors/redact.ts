// Secrets never reach samples, errors or run.json: connection strings lose their passwords and tokens.

const SECRET_PARAMS = /^(password|pass|pwd|secret|token|access_token|auth|sslpassword|api_key|apikey)$/i;

/** A URL with its password and secret query parameters replaced by `***`; non-URLs get the same treatment by pattern. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (SECRET_PARAMS.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return redactText(url);
  }
}

/** Replaces credentials inside free text (URLs with user:password@, password=... pairs) and each known secret. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join('***');
  }
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]+@/gi, '$1***@');
  out = out.replace(/\b(password|pwd|token|secret)=([^&\s'"]+)/gi, '$1=***');
  return out;
}

/** The secrets inside a connection string (its password, decoded and raw), for redactText. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out: string[] = [];
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
    for (const [key, value] of u.searchParams) if (SECRET_PARAMS.test(key) && value) out.push(value);
    return out;
  } catch {
    return [];
  }
}

/** An error's message, one line, with secrets removed: what a gap sample carries. */
export function errorMessage(err: unknown, secrets: readonly string[] = []): string {
  let msg: string;
  if (err instanceof AggregateError && err.errors.length > 0) {
    msg = err.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  } else if (err instanceof Error) {
    msg = err.message || err.name;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && !msg.includes(code)) msg = `${code}: ${msg}`;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message && !msg.includes(cause.message)) msg = `${msg} (${cause.message})`;
  } else {
    msg = String(err);
  }
  return redactText(msg.replace(/\s+/g, ' ').trim(), secrets).slice(0, 300);
}

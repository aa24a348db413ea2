// Secrets never reach samples, errors or run.json: collector errors are reduced to one redacted line.

import { redactText } from '../redact.ts';

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

// Database failures the API answers without a stack trace: which ones are "try again later" (503) and why.

/** The database could not serve the request now; the client should retry after a moment. */
export class DbUnavailableError extends Error {
  constructor(
    readonly reason: 'pool_exhausted' | 'db_unreachable' | 'db_timeout',
    override readonly cause?: unknown,
  ) {
    super(`database unavailable: ${reason}`);
    this.name = 'DbUnavailableError';
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
// SQLSTATEs: 57014 query_canceled (statement_timeout), 57P01..57P03 admin shutdown / crash / cannot connect now,
// 08xxx connection exceptions, 53300 too_many_connections.
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Classifies an error from pg into a DbUnavailableError, or returns undefined for a genuine query error (pure). */
export function classifyDbError(err: unknown): DbUnavailableError | undefined {
  if (err instanceof DbUnavailableError) return err;
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const message = err.message;
  if (message.includes('timeout exceeded when trying to connect')) return new DbUnavailableError('pool_exhausted', err);
  if (code === '57014' || message === 'Query read timeout') return new DbUnavailableError('db_timeout', err);
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNREACHABLE_SQLSTATES.has(code) || code.startsWith('08'))) {
    return new DbUnavailableError('db_unreachable', err);
  }
  if (
    message.includes('Connection terminated') ||
    message.includes('terminating connection') ||
    message.includes('Client has encountered a connection error') ||
    message.includes('server closed the connection') ||
    message.includes('no more connections allowed')
  ) {
    return new DbUnavailableError('db_unreachable', err);
  }
  return undefined;
}

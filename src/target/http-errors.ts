// Maps every error to a JSON answer: 400s name the field, 503s carry Retry-After, and no stack trace leaves the process.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DbUnavailableError } from './db/errors.ts';
import { describeIssue, fieldOf, type ValidationIssue } from './schemas.ts';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  location?: string;
  requestId?: string;
}

/** An error a handler throws on purpose, with the status and body to send. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly extra: { field?: string; retryAfterS?: number } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 about one named input field. */
export function badField(location: string, field: string, message: string): HttpError {
  return new HttpError(400, 'validation_failed', `${location} field "${field}" ${message}`, { field });
}

/** What to send for an error: status, body, and an optional Retry-After (pure). */
export function errorResponse(err: unknown): { status: number; body: ErrorBody; retryAfterS?: number; log: boolean } {
  if (err instanceof HttpError) {
    const body: ErrorBody = { error: err.error, message: err.message };
    if (err.extra.field) body.field = err.extra.field;
    return { status: err.statusCode, body, retryAfterS: err.extra.retryAfterS, log: err.statusCode >= 500 };
  }
  if (err instanceof DbUnavailableError) {
    return {
      status: 503,
      body: { error: err.reason, message: 'the database is busy or unavailable; retry shortly' },
      retryAfterS: 1,
      log: err.reason !== 'pool_exhausted',
    };
  }
  const fe = err as Partial<FastifyError> & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    const issue = fe.validation[0]!;
    const location = fe.validationContext ?? 'request';
    return {
      status: 400,
      body: { error: 'validation_failed', message: describeIssue(location, issue), field: fieldOf(issue), location },
      log: false,
    };
  }
  const pgCode = (err as { code?: unknown })?.code;
  if (typeof pgCode === 'string' && /^22[0-9A-Z]{3}$/.test(pgCode)) {
    return { status: 400, body: { error: 'validation_failed', message: 'a value in the request is out of range' }, log: false };
  }
  const status = typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
  if (status < 500) {
    return { status, body: { error: status === 413 ? 'payload_too_large' : 'bad_request', message: fe.message ?? 'bad request' }, log: false };
  }
  return { status: 500, body: { error: 'internal_error', message: 'internal error' }, log: true };
}

/** Fastify error handler: logs server-side failures with their stack, answers with errorResponse(). */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, retryAfterS, log } = errorResponse(err);
  if (log) request.log.error({ err }, 'request failed');
  if (status >= 500) body.requestId = request.id;
  if (retryAfterS !== undefined) reply.header('retry-after', String(retryAfterS));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

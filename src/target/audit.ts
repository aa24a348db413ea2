// The audit stream: one JSON line per security-relevant event (token issued, failed or refused login, report
// written, client data deleted), apart from the service log: AUDIT_LOG_FILE, or stderr with `log: "audit"`.

import type { FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { REDACT_PATHS } from './logger.ts';

/** What an audited action came to. */
export type AuditOutcome = 'success' | 'failure' | 'refused';

/** The audited actions. */
export type AuditEvent = 'token.issue' | 'login.failed' | 'report.write' | 'client_data.delete';

/** One audit record: the action, who asked (client, source address), the request id, the outcome; never a secret. */
export interface AuditRecord {
  event: AuditEvent;
  outcome: AuditOutcome;
  client: string;
  sourceAddress: string;
  requestId: string;
  [detail: string]: unknown;
}

/** Writes audit records; `record` never throws (an audit failure must not fail the request). */
export interface AuditLog {
  record(req: FastifyRequest, event: AuditEvent, outcome: AuditOutcome, client: string, detail?: Record<string, unknown>): void;
  /** Flushes what is buffered (at close). */
  flush(): void;
}

/** Creates the audit log: appends to `file` when given (created if missing), else stderr; every line has `log: "audit"`. */
export function createAuditLog(file: string | undefined): AuditLog {
  const logger: Logger = pino(
    {
      level: 'info',
      base: { log: 'audit', pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
    },
    file ? pino.destination({ dest: file, append: true, mkdir: true, sync: false }) : pino.destination({ fd: 2, sync: false }),
  );
  return {
    record(req, event, outcome, client, detail = {}) {
      const rec: AuditRecord = { ...detail, event, outcome, client, sourceAddress: req.ip, requestId: String(req.id) };
      try {
        logger.info(rec, event);
      } catch {
        // the service log reports a broken stream; the request goes on
      }
    },
    flush() {
      logger.flush();
    },
  };
}

// pino logger for the service: JSON lines on stderr (stdout carries only the "listening" event), secrets redacted.

import pino, { type Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log record. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'clientSecret',
  '*.clientSecret',
  'body.clientSecret',
  'access_token',
  '*.access_token',
  'password',
  '*.password',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'metricsToken',
  '*.metricsToken',
];

/** Creates the service logger at a level, writing to the given file descriptor (stderr by default). */
export function createLogger(level: string, role: string, fd = 2): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, role },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd, sync: false }),
  );
}

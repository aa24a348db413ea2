// Classifies failed requests into the `error_code` classes of the run format (ErrorClass in results/format.ts).

import type { ErrorClass } from '../results/format.ts';

/** Maps a socket/DNS/TLS error (or our own timeout and parse failures) to its class. */
export function classifyError(err: { code?: string; message?: string } | undefined): ErrorClass {
  const code = err?.code ?? '';
  switch (code) {
    case 'ETIMEDOUT':
    case 'PERFGATE_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'econnrefused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET':
    case 'PERFGATE_CLOSED':
      return 'econnreset';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return 'unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'dns';
    case 'PERFGATE_PROTOCOL':
    case 'HPE_INVALID_CONSTANT':
    case 'UND_ERR_INFO':
      return 'protocol';
    default:
      if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return 'tls';
      if (code.startsWith('HPE_')) return 'protocol';
      return 'other';
  }
}

/** Classifies a response whose status is outside `expect`: 429 rate_limited, 4xx, 5xx, anything else `other`. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'http_4xx';
  if (status >= 500 && status < 600) return 'http_5xx';
  return 'other';
}

/** Whether a status counts as success: in `expect` when given, else 200-399. */
export function isExpectedStatus(status: number, expect: ReadonlySet<number> | undefined): boolean {
  return expect ? expect.has(status) : status >= 200 && status < 400;
}

// The prometheus collector: scrapes a /metrics URL over HTTP (undici, its own connection pool), parses the text
// exposition strictly, and derives perfgate's server-side metrics (see prometheus-derive.ts).

import { caWithRoots } from '../engine/http-connection.ts';
import { Agent, request } from 'undici';
import type { Collector, CollectorSample } from './types.ts';
import { parseExposition } from './prometheus-parse.ts';
import { DEFAULT_PROM_NAMES, PROMETHEUS_METRICS, PrometheusDeriver, type PromNameKey, type PromNames } from './prometheus-derive.ts';
import { redactUrl, urlSecrets, redactText } from '../redact.ts';
import { pinnedLookup } from '../engine/host-guard.ts';

/** Options of the prometheus collector. */
export interface PrometheusCollectorOptions {
  /** The /metrics URL. */
  url: string;
  /** The address the host guard checked: every connection goes there, whatever DNS answers later. */
  address?: string;
  /** Exposed names, keyed by the reference target's names (see DEFAULT_PROM_NAMES); unset keys keep their default. */
  metrics?: Partial<Record<PromNameKey, string>>;
  /** Sent as `Authorization: Bearer <token>` (the target's METRICS_TOKEN); never logged nor written to run.json. */
  bearerToken?: string;
  /** An https URL's CA (PEM), trusted beside Node's bundled roots. */
  tlsCa?: string;
  /** Largest payload accepted, bytes; 8 MiB by default. */
  maxBytes?: number;
}

/** Creates a collector scraping `url` once per tick. */
export function createPrometheusCollector(opts: PrometheusCollectorOptions): Collector {
  const names: PromNames = { ...DEFAULT_PROM_NAMES, ...opts.metrics };
  const deriver = new PrometheusDeriver(names);
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const secrets = [...urlSecrets(opts.url), ...(opts.bearerToken ? [opts.bearerToken] : [])];
  const headers: Record<string, string> = { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' };
  if (opts.bearerToken) headers.authorization = `Bearer ${opts.bearerToken}`;
  const where = redactUrl(opts.url);
  const ca = opts.tlsCa ? { ca: caWithRoots(opts.tlsCa) } : {};
  const connect = opts.address ? { timeout: 2000, lookup: pinnedLookup(opts.address), ...ca } : { timeout: 2000, ...ca };
  const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000, connect });
  return {
    name: 'prometheus',
    metrics: PROMETHEUS_METRICS,
    async sample(signal: AbortSignal, tMs: number): Promise<CollectorSample[]> {
      let text: string;
      try {
        const res = await request(opts.url, {
          method: 'GET',
          dispatcher: agent,
          signal,
          headers,
        });
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw new Error(`HTTP ${res.statusCode} from ${where}`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) {
            res.body.destroy();
            throw new Error(`payload from ${where} is larger than ${maxBytes} bytes`);
          }
          chunks.push(chunk);
        }
        text = Buffer.concat(chunks).toString('utf8');
      } catch (err) {
        throw new Error(`scrape of ${where} failed: ${redactText((err as Error).message ?? String(err), secrets)}`, { cause: err });
      }
      try {
        return deriver.derive(parseExposition(text), tMs);
      } catch (err) {
        throw new Error(`bad payload from ${where}: ${(err as Error).message}`);
      }
    },
    async close(): Promise<void> {
      await agent.close().catch(() => undefined);
    },
  };
}

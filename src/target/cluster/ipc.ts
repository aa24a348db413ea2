// Messages between the cluster primary and its workers (plain objects over the IPC channel).

import type { PemKeyPair } from '../auth/keys.ts';

/** Worker -> primary: ready for the init message (sent once the worker listens for messages). */
export interface HelloMessage {
  type: 'perfgate:hello';
}
/** Primary -> worker: the signing keys (sent right after fork, so they never sit in the environment). */
export interface InitMessage {
  type: 'perfgate:init';
  keys: PemKeyPair;
}
/** Worker -> primary: please aggregate /metrics over all workers. */
export interface MetricsRequest {
  type: 'perfgate:metrics-req';
  id: number;
}
/** Primary -> worker: the aggregated metrics text, or why it failed. */
export interface MetricsResponse {
  type: 'perfgate:metrics-res';
  id: number;
  text?: string;
  error?: string;
}
/** Primary -> worker: send your registry as JSON (only workers that listen are asked). */
export interface CollectRequest {
  type: 'perfgate:collect';
  id: number;
}
/** Worker -> primary: this worker's metrics, from registry.getMetricsAsJSON(). */
export interface CollectResponse {
  type: 'perfgate:collected';
  id: number;
  metrics: unknown[];
}
/** Primary -> worker: stop accepting, drain, close, exit 0. */
export interface ShutdownMessage {
  type: 'perfgate:shutdown';
}

/** Any message of ours. */
export type IpcMessage =
  | HelloMessage
  | InitMessage
  | MetricsRequest
  | MetricsResponse
  | CollectRequest
  | CollectResponse
  | ShutdownMessage;

/** Whether a value is one of our IPC messages of the given type. */
export function isIpc<T extends IpcMessage['type']>(msg: unknown, type: T): msg is Extract<IpcMessage, { type: T }> {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type;
}

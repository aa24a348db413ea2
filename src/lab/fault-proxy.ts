// A TCP fault proxy on the path to the database (127.0.0.1, a free port), with the faults Toxiproxy made familiar:
// latency (with jitter; added to the answers, so a round trip takes that much longer), bandwidth, timeout (a black hole: nothing gets through, and the connections it held are
// closed when it ends), reset_peer (every connection reset, TCP RST) and slow_close (a close delayed).

import { connect, createServer, type Server, type Socket } from 'node:net';
import { LabError } from '../errors.ts';

/** A fault the proxy applies to every connection, both ways. */
export type ProxyFault =
  | { kind: 'latency'; latencyMs: number; jitterMs?: number }
  | { kind: 'bandwidth'; bytesPerS: number }
  | { kind: 'timeout' }
  | { kind: 'slow_close'; delayMs: number };

/** A running fault proxy. */
export interface FaultProxy {
  readonly port: number;
  /** Sets the fault (null: none). Ending a `timeout` closes the connections it held, as Toxiproxy's timeout does. */
  set(fault: ProxyFault | null): void;
  /** Resets every open connection (reset_peer), both sides; new connections are not affected. */
  resetPeers(): number;
  /** Open client connections. */
  connections(): number;
  /** Bytes the black hole has swallowed so far. */
  droppedBytes(): number;
  close(): Promise<void>;
}

/** The delay of one chunk under a fault, from the time the previous chunk of its direction leaves (pure). */
export function chunkDelayMs(fault: ProxyFault | null, bytes: number, random: () => number = Math.random): number {
  if (!fault) return 0;
  if (fault.kind === 'latency') return Math.max(0, fault.latencyMs + (fault.jitterMs ? (random() * 2 - 1) * fault.jitterMs : 0));
  if (fault.kind === 'bandwidth') return (bytes / Math.max(1, fault.bytesPerS)) * 1000;
  return 0;
}

/** One direction of a connection: chunks leave in order, each after its fault's delay (latency: downstream only). */
function pipeWithFaults(from: Socket, to: Socket, fault: () => ProxyFault | null, onDropped: (bytes: number) => void, downstream: boolean): void {
  let nextFreeMs = 0;
  from.on('data', (chunk: Buffer) => {
    const current = fault();
    const f = current?.kind === 'latency' && !downstream ? null : current;
    if (f?.kind === 'timeout') return onDropped(chunk.length); // the black hole: the bytes are gone
    const delay = chunkDelayMs(f, chunk.length);
    if (delay <= 0 && nextFreeMs <= Date.now()) {
      if (!to.destroyed) to.write(chunk);
      return;
    }
    const at = Math.max(Date.now() + (f?.kind === 'latency' ? delay : 0), nextFreeMs) + (f?.kind === 'bandwidth' ? delay : 0);
    nextFreeMs = at;
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, Math.max(0, at - Date.now()));
  });
}

/** The proxy's state: the current fault, the open connection pairs, the bytes the black hole swallowed. */
interface ProxyState {
  fault: ProxyFault | null;
  dropped: number;
  pairs: Set<{ client: Socket; server: Socket; blackholed: boolean }>;
}

/** One accepted connection: its upstream, both directions through the fault, and one close for both. */
function proxyConnection(client: Socket, st: ProxyState, upstreamHost: string, upstreamPort: number): void {
  const upstream = connect({ host: upstreamHost, port: upstreamPort });
  const pair = { client, server: upstream, blackholed: st.fault?.kind === 'timeout' };
  st.pairs.add(pair);
  const close = () => {
    const delay = st.fault?.kind === 'slow_close' ? st.fault.delayMs : 0;
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
      st.pairs.delete(pair);
    }, delay);
  };
  for (const s of [client, upstream]) {
    s.setNoDelay(true);
    s.on('error', close);
    s.on('close', close);
  }
  const onDropped = (bytes: number) => {
    pair.blackholed = true;
    st.dropped += bytes;
  };
  pipeWithFaults(client, upstream, () => st.fault, onDropped, false);
  pipeWithFaults(upstream, client, () => st.fault, onDropped, true);
}

/** Destroys connection pairs (reset: TCP RST) and forgets them; returns how many. */
function dropPairs(st: ProxyState, which: (p: { blackholed: boolean }) => boolean, reset = false): number {
  const chosen = [...st.pairs].filter(which);
  for (const p of chosen) {
    if (reset) {
      p.client.resetAndDestroy();
      p.server.resetAndDestroy();
    } else {
      p.client.destroy();
      p.server.destroy();
    }
    st.pairs.delete(p);
  }
  return chosen.length;
}

/**
 * Starts a fault proxy to upstreamHost:upstreamPort.
 * accept → connect upstream → pipe both ways through the current fault → close together (slow_close: later).
 */
export async function startFaultProxy(o: { upstreamPort: number; upstreamHost?: string; port?: number }): Promise<FaultProxy> {
  const st: ProxyState = { fault: null, dropped: 0, pairs: new Set() };
  const server: Server = createServer((client) => proxyConnection(client, st, o.upstreamHost ?? '127.0.0.1', o.upstreamPort));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port ?? 0, host: '127.0.0.1' }, resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new LabError('fault proxy: no address');
  return {
    port: address.port,
    set: (next) => {
      const ending = st.fault?.kind === 'timeout' && next?.kind !== 'timeout';
      st.fault = next;
      if (next?.kind === 'timeout') for (const p of st.pairs) p.blackholed = true;
      if (ending) dropPairs(st, (p) => p.blackholed);
    },
    resetPeers: () => dropPairs(st, () => true, true),
    connections: () => st.pairs.size,
    droppedBytes: () => st.dropped,
    close: () =>
      new Promise<void>((resolve) => {
        dropPairs(st, () => true);
        server.close(() => resolve());
      }),
  };
}

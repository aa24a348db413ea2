// Entry point of the upstream simulator: `tsx src/target/upstream/main.ts` (env PORT, 0 allowed; HOST;
// UPSTREAM_CONTROL_TOKEN, the bearer token that fault control needs: without it, control POSTs are refused).

import { createUpstreamServer } from './server.ts';

const port = Number(process.env.PORT ?? '8090');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`upstream: PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(1);
}
const server = createUpstreamServer(Math.random, process.env.UPSTREAM_CONTROL_TOKEN || undefined);
server.listen(port, process.env.HOST || '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: actual, pid: process.pid })}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

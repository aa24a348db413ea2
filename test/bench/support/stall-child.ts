// The stall server in its own process (pinned by the parent): prints {"url", "startedAt"} once listening.

import { startStallServer } from '../../support/servers.ts';

const s = await startStallServer({ periodMs: 5000, stallMs: 1000 });
console.log(JSON.stringify({ url: s.url, startedAt: s.startedAt }));
process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));

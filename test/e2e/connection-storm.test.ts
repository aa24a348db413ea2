// The connection-storm drill at its smoke profile (200 PostgreSQL clients, each holding a connection) through the
// lab's PgBouncer: every client is served and PgBouncer stays within its pool. Bypassing PgBouncer (straight to
// PostgreSQL, whose max_connections the clients exceed) fails the drill on the failed queries.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestLab, type Lab } from '../support/lab.ts';
import storm from '../../scenarios/drills/connection-storm.ts';
import { explain, failures, gatedRun, tempReports } from './support.ts';

describe('connection-storm through PgBouncer', { timeout: 400_000 }, () => {
  let lab: Lab;
  let reports: Awaited<ReturnType<typeof tempReports>>;
  before(async () => {
    reports = await tempReports();
    lab = await startTestLab({ pgbouncer: true, workers: 1 });
  });
  after(async () => {
    await lab?.stop();
    await reports?.cleanup();
  });

  test('every client is served, query p95 < 50 ms, and PgBouncer never exceeds its pool', async () => {
    const { exitCode, data } = await gatedRun({ scenario: 'connection-storm', profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 0, explain(data));
    const served = data.intervals.reduce((n, r) => n + (r.type === 'req' ? r.count - r.failed : 0), 0);
    assert.ok(served >= 200, `${served} queries served`);
    const svActive = data.samples.filter((s) => s.metric === 'pgbouncer_sv_active' && s.labels?.database === 'perfgate' && s.value !== null);
    assert.ok(svActive.length > 0 && svActive.every((s) => (s.value as number) <= 25), JSON.stringify(svActive.slice(0, 3)));
  });

  test('bypassing PgBouncer fails the drill on the queries PostgreSQL refused', async () => {
    const bypass = { ...storm, connections: { bouncer: { url: 'lab:postgres' } } };
    const file = join(reports.dir, 'storm-bypass.json');
    await writeFile(file, JSON.stringify(bypass));
    const { exitCode, data } = await gatedRun({ scenario: file, profile: 'smoke', sharedLab: lab, reportsDir: reports.dir });
    assert.equal(exitCode, 99, explain(data));
    assert.ok(failures(data).includes('sql_query_failed rate==0'), explain(data));
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetConfig, TargetConfigError } from '../../src/target/config.ts';
import { cpuHotspot } from '../../src/target/hotspot.ts';

test('CPU_HOTSPOT_MS and SHUTDOWN_EXIT: off by default, parsed when set, a bad value names the variable', () => {
  const base = parseTargetConfig({});
  assert.equal(base.cpuHotspotMs, 0);
  assert.equal(base.shutdownExit, 'now');
  const set = parseTargetConfig({ CPU_HOTSPOT_MS: '3', SHUTDOWN_EXIT: 'drain' });
  assert.equal(set.cpuHotspotMs, 3);
  assert.equal(set.shutdownExit, 'drain');
  assert.throws(
    () => parseTargetConfig({ CPU_HOTSPOT_MS: '-1', SHUTDOWN_EXIT: 'later' }),
    (e: unknown) => e instanceof TargetConfigError && ['CPU_HOTSPOT_MS', 'SHUTDOWN_EXIT'].every((p) => e.issues.some((i) => i.path === p)),
  );
});

test('cpuHotspot keeps the CPU busy for the time asked', () => {
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  cpuHotspot(30);
  const wallMs = performance.now() - w0;
  const cpuMs = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000;
  assert.ok(wallMs >= 30, `wall ${wallMs} ms`);
  assert.ok(cpuMs >= 15, `cpu ${cpuMs} ms (on a busy machine the CPU time may lag the wall time, not vanish)`);
});

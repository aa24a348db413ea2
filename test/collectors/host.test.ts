import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGeneratorCollector, createHostCollector, parseMeminfo, parseProcStat } from '../../src/collectors/host.ts';

test('/proc/stat busy and total jiffies exclude idle and iowait', () => {
  const stat = 'cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\nintr 1\n';
  assert.deepEqual(parseProcStat(stat), { busy: 160, total: 980 });
  assert.throws(() => parseProcStat('intr 1'), /no aggregate cpu line/);
});

test('memory utilisation is one minus MemAvailable over MemTotal', () => {
  assert.equal(parseMeminfo('MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    250 kB\n'), 0.75);
  assert.throws(() => parseMeminfo('MemTotal: 1 kB\n'), /MemAvailable/);
});

test('the host collector reads the real /proc: memory at once, CPU from the second reading', async () => {
  const c = createHostCollector();
  const first = await c.sample(AbortSignal.timeout(1000), 0);
  assert.deepEqual(first.map((s) => s.metric), ['host_memory_utilization']);
  const end = Date.now() + 60;
  while (Date.now() < end); // burn some CPU so the interval has busy jiffies
  await new Promise((r) => setTimeout(r, 40));
  const second = await c.sample(AbortSignal.timeout(1000), 100);
  const cpu = second.find((s) => s.metric === 'host_cpu_utilization')?.value as number;
  assert.ok(cpu > 0 && cpu <= 1, String(cpu));
  const mem = second.find((s) => s.metric === 'host_memory_utilization')?.value as number;
  assert.ok(mem > 0 && mem < 1, String(mem));
  await c.close();
});

test('the generator collector sees its own busy loop as CPU and as event-loop lag', async () => {
  const c = createGeneratorCollector();
  await c.sample(AbortSignal.timeout(1000), 0);
  for (let i = 0; i < 3; i++) {
    const end = Date.now() + 60;
    while (Date.now() < end);
    await new Promise((r) => setTimeout(r, 20));
  }
  const s = await c.sample(AbortSignal.timeout(1000), 1);
  const cpu = s.find((x) => x.metric === 'generator_cpu')?.value as number;
  const lag = s.find((x) => x.metric === 'generator_event_loop_lag')?.value as number;
  assert.ok(cpu > 0.4 && cpu < 1.5, `cpu ${cpu}`);
  assert.ok(lag >= 40, `lag ${lag}`);
  await c.close();
});

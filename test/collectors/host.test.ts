import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createGeneratorCollector, createHostCollector, parseMeminfo, parsePidStat, parseProcStat, ticksBetween } from '../../src/collectors/host.ts';

test('/proc/stat busy and total jiffies exclude idle and iowait', () => {
  const stat = 'cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\nintr 1\n';
  assert.deepEqual(parseProcStat(stat), { busy: 160, total: 980 });
  assert.throws(() => parseProcStat('intr 1'), /no aggregate cpu line/);
});

test('a /proc/<pid>/stat line gives its process group and utime + stime, a command name with spaces and parens included', () => {
  const rows: Array<[string, { pgrp: number; ticks: number } | undefined]> = [
    ['4242 (node) S 1 4240 4240 0 -1 4194560 100 0 0 0 700 50 0 0 20 0 11 0 123 0 0', { pgrp: 4240, ticks: 750 }],
    ['77 (postgres: a (b) c) R 10 10 10 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 0 0', { pgrp: 10, ticks: 7 }],
    ['1 (init) S', undefined],
  ];
  for (const [line, want] of rows) assert.deepEqual(parsePidStat(line), want, line);
});

test('ticks between readings: growth of the PIDs seen twice, all ticks of a new one, nothing for one gone', () => {
  const prev = new Map([[1, 100], [2, 50], [3, 10]]);
  const now = new Map([[1, 130], [2, 50], [4, 7]]);
  assert.equal(ticksBetween(prev, now), 30 + 0 + 7);
  assert.equal(ticksBetween(new Map([[1, 100]]), new Map([[1, 90]])), 0, 'a reused PID never counts negative');
});

test("service CPU counts the service's process groups only: a busy service child, not the generator's own busy loop", async () => {
  // A child in its own process group spins for a while; this process (the "generator") spins too.
  const child = spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 1500);'], { detached: true, stdio: 'ignore' });
  try {
    const withGroup = createHostCollector('/proc', { serviceGroups: [child.pid!] });
    const idleGroup = createHostCollector('/proc', { serviceGroups: [2 ** 22 + 7] });
    await withGroup.sample(AbortSignal.timeout(1000), 0);
    await idleGroup.sample(AbortSignal.timeout(1000), 0);
    burnCpu(150);
    await new Promise((r) => setTimeout(r, 200));
    const busy = (await withGroup.sample(AbortSignal.timeout(1000), 1)).find((s) => s.metric === 'service_cpu_utilization');
    const idle = (await idleGroup.sample(AbortSignal.timeout(1000), 1)).find((s) => s.metric === 'service_cpu_utilization');
    assert.equal(busy?.labels?.basis, 'lab-processes');
    assert.ok((busy?.value as number) > 0.05, `the spinning service child: ${busy?.value}`);
    assert.equal(idle?.value, 0, 'a group with no process used nothing, whatever this process burnt');
  } finally {
    child.kill('SIGKILL');
  }
});

test('without the service groups, service CPU is the machine busy share minus this process', async () => {
  const c = createHostCollector();
  await c.sample(AbortSignal.timeout(1000), 0);
  burnCpu(150);
  const s = await c.sample(AbortSignal.timeout(1000), 1);
  const host = s.find((x) => x.metric === 'host_cpu_utilization')?.value as number;
  const service = s.find((x) => x.metric === 'service_cpu_utilization');
  assert.equal(service?.labels?.basis, 'host-minus-generator');
  assert.ok((service?.value as number) >= 0 && (service?.value as number) < host, `service ${service?.value} vs host ${host}`);
});

test('memory utilisation is one minus MemAvailable over MemTotal', () => {
  assert.equal(parseMeminfo('MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    250 kB\n'), 0.75);
  assert.throws(() => parseMeminfo('MemTotal: 1 kB\n'), /MemAvailable/);
});

test('the host collector reads the real /proc: memory at once, CPU from the second reading', async () => {
  const c = createHostCollector();
  const first = await c.sample(AbortSignal.timeout(1000), 0);
  assert.deepEqual(first.map((s) => s.metric), ['host_memory_utilization']);
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < 60_000); // burn 60 ms of CPU so the interval has busy jiffies
  await new Promise((r) => setTimeout(r, 40));
  const second = await c.sample(AbortSignal.timeout(1000), 100);
  const cpu = second.find((s) => s.metric === 'host_cpu_utilization')?.value as number;
  assert.ok(cpu > 0 && cpu <= 1, String(cpu));
  const mem = second.find((s) => s.metric === 'host_memory_utilization')?.value as number;
  assert.ok(mem > 0 && mem < 1, String(mem));
  await c.close();
});

/** Spins until this process has used `ms` of CPU time (not wall time: the machine may be busy). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

test('the generator collector sees its own busy loop as CPU and as event-loop lag', async () => {
  const c = createGeneratorCollector();
  await c.sample(AbortSignal.timeout(1000), 0);
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) {
    burnCpu(60);
    await new Promise((r) => setTimeout(r, 20));
  }
  const wallMs = performance.now() - t0;
  const s = await c.sample(AbortSignal.timeout(1000), 1);
  const cpu = s.find((x) => x.metric === 'generator_cpu')?.value as number;
  const lag = s.find((x) => x.metric === 'generator_event_loop_lag')?.value as number;
  // 180 ms of CPU burnt within wallMs: the reported cores times the wall time covers at least that
  assert.ok(cpu * wallMs >= 150 && cpu < 2, `cpu ${cpu} over ${wallMs} ms`);
  assert.ok(lag >= 40, `lag ${lag}`);
  await c.close();
});

test('the generator collector can share the engine\'s event-loop monitor instead of running its own', async () => {
  let calls = 0;
  const c = createGeneratorCollector({ loopLagP99Ms: () => (++calls, 7.5) });
  const s = await c.sample(AbortSignal.timeout(1000), 0);
  assert.equal(s.find((x) => x.metric === 'generator_event_loop_lag')?.value, 7.5);
  assert.equal(calls, 1);
  await c.close();
});

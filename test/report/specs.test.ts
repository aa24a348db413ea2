import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { buildModel } from '../../src/report/model.ts';
import { buildCharts, CHART_IDS } from '../../src/report/specs/index.ts';
import { syntheticRun } from './support.ts';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8'));
const ajv = new Ajv({ allowUnionTypes: true, strict: false, allErrors: false });
const validate = ajv.compile(schema);

const variants = [
  { name: 'a failing run with every collector', run: syntheticRun({ durationS: 40, verdict: 'fail' }) },
  { name: 'a passing run', run: syntheticRun({ durationS: 40, verdict: 'pass' }) },
  { name: 'a run without server metrics or verdict', run: syntheticRun({ durationS: 20, server: false, verdict: 'none' }) },
  { name: 'a run with hostile names and a fault window', run: syntheticRun({ durationS: 20, hostile: '<script>window.__pwned=1</script>"\'onerror=' }) },
];

for (const v of variants) {
  test(`every chart spec of ${v.name} validates against the official Vega-Lite schema`, () => {
    const charts = buildCharts(buildModel(v.run));
    assert.deepEqual(charts.map((c) => c.id), [...CHART_IDS]);
    let drawn = 0;
    for (const c of charts) {
      if (!c.spec) continue;
      drawn++;
      const ok = validate(c.spec);
      assert.ok(ok, `${c.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    assert.ok(drawn >= 4);
  });
}

test('the schema check rejects a spec with a wrong mark, so the validation is real', () => {
  assert.equal(validate({ data: { values: [] }, mark: 'not-a-mark', encoding: {} }), false);
});

test('charts without server data are left out with a note, client charts stay', () => {
  const charts = buildCharts(buildModel(syntheticRun({ durationS: 10, server: false, verdict: 'none' })));
  const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
  for (const id of ['latency', 'throughput', 'endpoints', 'spectrum', 'host'] as const) assert.ok(byId[id].spec, id);
  for (const id of ['cause', 'db-pool', 'db-query', 'pg-connections', 'cache'] as const) {
    assert.equal(byId[id].spec, undefined, id);
    assert.match(byId[id].note ?? '', /\S/);
  }
});

test('SLO limits are drawn as rules and breaching stretches as red points only when a limit is broken', () => {
  const fail = JSON.stringify(buildCharts(buildModel(syntheticRun({ durationS: 30, verdict: 'fail' }))).find((c) => c.id === 'latency')?.spec);
  assert.match(fail, /"type":"rule","strokeDash":\[6,4\]/);
  assert.match(fail, /p95 < 200 ms/);
  assert.match(fail, /"type":"point","filled":true,"size":28,"color":"#cf222e"/);
  const pass = JSON.stringify(buildCharts(buildModel(syntheticRun({ durationS: 30, verdict: 'pass' }))).find((c) => c.id === 'latency')?.spec);
  assert.match(pass, /p95 < 200 ms/);
  assert.doesNotMatch(pass, /"color":"#cf222e"/);
  const none = JSON.stringify(buildCharts(buildModel(syntheticRun({ durationS: 30, verdict: 'none' }))).find((c) => c.id === 'latency')?.spec);
  assert.doesNotMatch(none, /"strokeDash":\[6,4\]/);
});

test('phase bands shade by name: every stretch of a phase that several stages bear looks alike', async () => {
  const { shadedPhases } = await import('../../src/report/specs/common.ts');
  const band = (name: string, startMs: number, endMs: number) => ({ kind: 'phase' as const, name, startMs, endMs });
  const bands = [band('ramp-up', 0, 10), band('steady', 10, 20), band('spike', 20, 30), band('steady', 30, 40), band('ramp-down', 40, 50)];
  assert.deepEqual(shadedPhases(bands).map((b) => `${b.name}@${b.startMs}`), ['steady@10', 'steady@30', 'ramp-down@40']);
  // By position, the second steady would be shaded and the first not.
  assert.deepEqual(shadedPhases([band('steady', 0, 10), band('spike', 10, 20), band('cool', 20, 30), band('steady', 30, 40)]).map((b) => b.name), ['spike']);
});

test('a failed threshold scoped to an endpoint and a phase reds its bar, ticks its limit and draws a segment over its phase', async () => {
  const { drillRun } = await import('./support.ts');
  const { endpointBarRows } = await import('../../src/report/specs/endpoints.ts');
  const m = buildModel(drillRun());
  const { bars, ticks } = endpointBarRows(m);
  const company = bars.find((b) => b.endpoint === 'company' && b.pct === 'p95');
  assert.equal(company?.status, 'fail', 'coloured by its own SLO as verdict.json judged it, not by the whole-run value');
  assert.equal(bars.find((b) => b.endpoint === 'leaderboard' && b.pct === 'p95')?.status, 'no endpoint SLO');
  assert.ok(ticks.some((t) => t.endpoint === 'company' && t.limitMs === 100 && !t.pass && t.label === 'SLO < 100 ms in outage: 258 ms ✘'));
  const latency = JSON.stringify(buildCharts(m).find((c) => c.id === 'latency')?.spec);
  assert.match(latency, /"type":"rule","strokeWidth":3,"color":"#cf222e"\},"encoding":\{"x":\{"field":"tMs"[^}]*\}[^]*?"x2":\{"field":"endMs"\}/);
  assert.match(latency, /company, outage: p95 < 100 ms, was 258 ms ✘/);
});

test('value axes take their format from the data: percent decimals from the tick step, whole counts, never an empty domain', async () => {
  const { valueAxis } = await import('../../src/report/specs/common.ts');
  assert.deepEqual(valueAxis([0, 0, 0.01], 'ratio'), { scale: { domainMin: 0 }, axis: { format: '.1%' } });
  assert.deepEqual(valueAxis([0, 0.4, 1], 'ratio'), { scale: { domainMin: 0 }, axis: { format: '.0%' } });
  assert.deepEqual(valueAxis([0, 0.0004], 'ratio'), { scale: { domainMin: 0 }, axis: { format: '.3%' } });
  assert.deepEqual(valueAxis([0, 0, 0], 'number'), { scale: { domainMin: 0, domainMax: 1 }, axis: { tickMinStep: 1, format: ',d' } });
  assert.deepEqual(valueAxis([], 'ratio'), { scale: { domainMin: 0, domainMax: 0.01 }, axis: { format: '.1%' } });
  assert.deepEqual(valueAxis([0.5, 12.25], 'number'), { scale: { domainMin: 0 }, axis: {} });
});

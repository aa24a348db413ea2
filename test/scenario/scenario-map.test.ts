// Several scenarios in one run (k6's `scenarios` map): the schema's rules and errors, the parts and the run's
// timeline over them, profiles, overrides, and the `{scenario:X}` tag filter. Pure: definitions in, data out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.ts';
import { scenarioIssues } from '../../src/scenario/schema.ts';
import { resolveDefinition } from '../../src/scenario/load.ts';
import { applyProfile } from '../../src/scenario/profile.ts';
import { journeysOf, runPeakRatePerS, runPeakVUs, runPhases, runPlannedDurationMs, scenarioParts, singleLoad } from '../../src/scenario/scenarios.ts';
import { expectedInPhase } from '../../src/scenario/phase-data.ts';
import { aggregateClient } from '../../src/metrics/aggregate.ts';
import type { RequestIntervalRecord } from '../../src/results/format.ts';
import type { Journey, ScenarioDefinition } from '../../src/scenario/types.ts';

const journeys = [
  { name: 'browse', steps: [{ name: 'list', path: '/items', think: '1s' }] },
  { name: 'write', weight: 2, steps: [{ name: 'post', method: 'POST', path: '/items', think: '1s' }] },
];
const map = {
  browse: { executor: 'constant-vus', vus: 10, duration: '1m' },
  spike: { executor: 'ramping-arrival-rate', startTime: '30s', preAllocatedVUs: 5, maxVUs: 20, exec: 'write', stages: [{ duration: '10s', target: 20, name: 'spike' }, { duration: '10s', target: 0, name: 'cool' }] },
};
const raw = (extra: Record<string, unknown> = {}) => ({
  name: 'mixed',
  target: { baseUrl: 'http://127.0.0.1:8080' },
  scenarios: map,
  journeys,
  ...extra,
});

/** The schema's issues of an input, as "path: message" lines. */
const issues = (input: unknown) => scenarioIssues(input).issues.map((i) => `${i.path}: ${i.message}`);

test('a scenarios map validates, and each scenario is a part with its start and journeys', () => {
  const { definition, issues: found } = scenarioIssues(raw());
  assert.deepEqual(found, []);
  const parts = scenarioParts(definition!);
  assert.deepEqual(parts.map((p) => [p.name, p.load.executor, p.startMs]), [['browse', 'constant-vus', 0], ['spike', 'ramping-arrival-rate', 30_000]]);
  assert.equal('startTime' in parts[1]!.load, false, 'startTime is the part\'s, not the executor\'s');
});

test('the single load is one part named default', () => {
  const def = { load: { executor: 'constant-vus', vus: 2, duration: '5s' } } as ScenarioDefinition;
  assert.deepEqual(scenarioParts(def), [{ name: 'default', load: def.load, startMs: 0 }]);
});

for (const [label, input, expected] of [
  ['both load and scenarios', raw({ load: { executor: 'constant-vus', vus: 1, duration: '1s' } }), /^scenarios: a run has `load` \(one executor\) or `scenarios` \(several\), not both/],
  ['neither', { ...raw(), scenarios: undefined }, /^load: required: the executor of the run/],
  ['an empty map', raw({ scenarios: {} }), /^scenarios: names no scenario/],
  ['a name outside k6\'s rule', raw({ scenarios: { 'a b': map.browse } }), /scenarios.*a scenario name is letters, digits/],
  ['exec naming no journey', raw({ scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: 'nope' } } }), /^scenarios\.s\.exec: "nope" names no journey \(journeys: browse, write\)/],
  ['exec weights naming no journey', raw({ scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: { browse: 1, wrte: 2 } } } }), /^scenarios\.s\.exec: "wrte" names no journey/],
  ['exec of a wrong type', raw({ scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: 3 } } }), /^scenarios\.s\.exec: must be a journey name, a list of journey names, or journey names with weights/],
  ['a zero weight', raw({ scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: { browse: 0 } } } }), /^scenarios\.s\.exec/],
  ['a bad startTime', raw({ scenarios: { s: { executor: 'constant-vus', duration: '1s', startTime: 'soon' } } }), /^scenarios\.s\.startTime: invalid duration "soon"/],
  ['an executor rule inside the map', raw({ scenarios: { s: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 5, maxVUs: 2 } } }), /^scenarios\.s\.maxVUs: must be at least preAllocatedVUs \(5\), got 2/],
  ['an unknown field in an entry', raw({ scenarios: { s: { executor: 'constant-vus', duration: '1s', exex: 'browse' } } }), /^scenarios\.s/],
] as const) {
  test(`the schema refuses ${label}, naming the field`, () => {
    const found = issues(input);
    assert.ok(found.some((l) => expected.test(l)), found.join('\n'));
  });
}

test('exec selects journeys: one name, a list at their own weights, or names with new weights', () => {
  const js = journeys as unknown as Journey[];
  assert.deepEqual(journeysOf(js, undefined).map((j) => j.name), ['browse', 'write']);
  assert.deepEqual(journeysOf(js, 'write').map((j) => [j.name, j.weight]), [['write', 2]]);
  assert.deepEqual(journeysOf(js, ['browse', 'write']).map((j) => [j.name, j.weight]), [['browse', undefined], ['write', 2]]);
  assert.deepEqual(journeysOf(js, { browse: 5 }).map((j) => [j.name, j.weight]), [['browse', 5]]);
});

test('the run timeline covers every part: its end, its phases shifted by startTime, its peaks added', () => {
  const def = scenarioIssues(raw()).definition!;
  assert.equal(runPlannedDurationMs(def), 60_000, 'browse ends at 1 m; spike at 30 s + 20 s');
  assert.deepEqual(runPhases(def), [{ name: 'spike', startMs: 30_000, endMs: 40_000 }, { name: 'cool', startMs: 40_000, endMs: 50_000 }]);
  assert.equal(runPeakVUs(def), 30, '10 closed VUs + 20 maxVUs');
  assert.equal(runPeakRatePerS(def), 20);
  const late = scenarioIssues(raw({ scenarios: { a: { executor: 'constant-vus', duration: '10s' }, b: { executor: 'constant-vus', duration: '10s', startTime: '1m' } } })).definition!;
  assert.equal(runPlannedDurationMs(late), 70_000);
  assert.equal(runPeakRatePerS(late), undefined, 'no open-model part');
});

test('a profile scales every part, its startTime like its durations', () => {
  const def = scenarioIssues(raw({ profiles: { ci: { time: 0.5, load: 0.5 } } })).definition!;
  const ci = applyProfile(def, 'ci');
  const spike = ci.scenarios!.spike!;
  assert.equal(spike.startTime, '15s');
  assert.equal(spike.exec, 'write');
  assert.ok(spike.executor === 'ramping-arrival-rate');
  assert.deepEqual(spike.stages.map((s) => [s.duration, s.target]), [['5s', 10], ['5s', 0]]);
  assert.equal(ci.scenarios!.browse!.executor === 'constant-vus' && ci.scenarios!.browse!.vus, 5);
  assert.equal(runPlannedDurationMs(ci), 30_000);
});

test('CLI load overrides refuse a run of several scenarios, naming them', async () => {
  await assert.rejects(resolveDefinition(raw(), { overrides: { vus: 3 } }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.issues.map((i) => i.message).join('\n'), /applies to a run of one executor; this one has 2 scenarios \(browse, spike\)/);
    return true;
  });
  assert.throws(() => singleLoad(scenarioIssues(raw()).definition!, 'export'), /export applies to a run of one executor/);
});

test('a {scenario:X} threshold must name a scenario of the run (default for the single load)', async () => {
  await assert.rejects(resolveDefinition(raw({ thresholds: { 'http_req_duration{scenario:spkie}': ['p(95)<100'] } })), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.issues.map((i) => i.message).join('\n'), /scenario "spkie" names no scenario of the run \(did you mean "spike"\? scenarios: browse, spike\)/);
    return true;
  });
  const single = { ...raw(), scenarios: undefined, load: { executor: 'constant-vus', vus: 1, duration: '5s' }, thresholds: { 'http_req_duration{scenario:default}': ['p(95)<100'] } };
  assert.ok((await resolveDefinition(single)).definition);
});

test('a phase filtered to a scenario expects only that scenario\'s requests', () => {
  const clean = scenarioIssues(raw({
    scenarios: {
      a: { executor: 'ramping-arrival-rate', preAllocatedVUs: 2, stages: [{ duration: '10s', target: 10, name: 'steady' }] },
      b: { executor: 'ramping-arrival-rate', preAllocatedVUs: 2, exec: 'write', stages: [{ duration: '10s', target: 30, name: 'steady' }] },
    },
  })).definition!;
  assert.equal(Math.round(expectedInPhase(clean, 'steady').iterations), 200, 'a ramp 0->10 and 0->30 over 10 s: 50 + 150');
  assert.equal(Math.round(expectedInPhase(clean, 'steady', undefined, 'b').iterations), 150);
  assert.equal(Math.round(expectedInPhase(clean, 'steady', 'list', 'b').requests), 0, 'b runs only the write journey');
});

test('{scenario:X} filters request records; a record without the tag is the default scenario', () => {
  const rec = (scenario: string | undefined, count: number): RequestIntervalRecord => ({
    type: 'req', tMs: 0, intervalMs: 1000, name: 'list', method: 'GET', ...(scenario ? { scenario } : {}), count, failed: 0, statuses: {}, errors: {},
    okHist: '', failHist: '', bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0,
  });
  const records = [rec('a', 3), rec('b', 5), rec(undefined, 7)];
  const count = (tags: Record<string, string>) => aggregateClient(records, 'http_reqs', tags, { fromMs: 0, toMs: 1000 }).get({ kind: 'count' });
  assert.equal(count({}), 15);
  assert.equal(count({ scenario: 'a' }), 3);
  assert.equal(count({ scenario: 'b' }), 5);
  assert.equal(count({ scenario: 'default' }), 7);
});

test('in a run of a scenarios map, {phase:X} takes every scenario\'s records while X runs, by the middle of their interval', () => {
  const rec = (scenario: string | undefined, tMs: number, phase: string | undefined, count: number): RequestIntervalRecord => ({
    type: 'req', tMs, intervalMs: 1000, name: 'list', method: 'GET', ...(scenario ? { scenario } : {}), ...(phase ? { phase } : {}), count, failed: 0, statuses: {}, errors: {},
    okHist: '', failHist: '', bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0,
  });
  // The writes scenario's spike runs 5.4 s to 8.4 s; browse stays in its own `steady` phase throughout.
  const spike = { fromMs: 5400, toMs: 8400 };
  const map = [rec('browse', 5000, 'steady', 1), rec('browse', 6000, 'steady', 2), rec('writes', 6000, 'spike', 4), rec('browse', 8000, 'steady', 8), rec('browse', 9000, 'steady', 16)];
  const count = (records: RequestIntervalRecord[], tags: Record<string, string>) => aggregateClient(records, 'http_reqs', tags, spike).get({ kind: 'count' });
  assert.equal(count(map, { phase: 'spike' }), 1 + 2 + 4, 'the intervals whose middle is in 5.4-8.4 s (5-6 s and 6-7 s); 8-9 s has its middle at 8.5 s');
  assert.equal(count(map, { phase: 'spike', scenario: 'browse' }), 3, 'the reads during the spike');
  // The single load keeps its rule: a record is in a phase by its own phase tag.
  const single = [rec(undefined, 5000, 'steady', 1), rec(undefined, 6000, 'spike', 2), rec(undefined, 7000, 'spike', 4)];
  assert.equal(count(single, { phase: 'spike' }), 6);
});

test("a scenario's own tags (k6's scenario tags) filter its requests, and a tag nothing sets or perfgate owns is refused", async () => {
  const withTags = raw({
    scenarios: { browse: { ...map.browse, tags: { team: 'catalogue' } }, spike: { ...map.spike, tags: { team: 'reports' } } },
    thresholds: { 'http_req_duration{team:reports}': ['p(95)<200'] },
  });
  assert.ok((await resolveDefinition(withTags)).definition, 'a custom tag a scenario sets is a filter');
  const typo = { ...withTags, thresholds: { 'http_req_duration{team:report}': ['p(95)<200'] } };
  await assert.rejects(resolveDefinition(typo), /tag team:report is set by no scenario \(its values: catalogue, reports\)/);
  const unknown = { ...withTags, thresholds: { 'http_req_duration{squad:x}': ['p(95)<200'] } };
  await assert.rejects(resolveDefinition(unknown), /tag "squad" cannot filter http_req_duration \(it takes: name, method, journey, scenario, phase, expected_response, team\)/);
  const reserved = raw({ scenarios: { browse: { ...map.browse, tags: { phase: 'x' } } } });
  assert.ok(issues(reserved).some((l) => /^scenarios\.browse\.tags\.phase: "phase" is a tag perfgate sets itself/.test(l)), issues(reserved).join('\n'));
  const rec = (tags: Record<string, string> | undefined, count: number): RequestIntervalRecord => ({
    type: 'req', tMs: 0, intervalMs: 1000, name: 'list', method: 'GET', ...(tags ? { tags } : {}), count, failed: 0, statuses: {}, errors: {},
    okHist: '', failHist: '', bytesIn: 0, bytesOut: 0, checksPassed: 0, checksFailed: 0,
  });
  const records = [rec({ team: 'catalogue' }, 3), rec({ team: 'reports' }, 5), rec(undefined, 7)];
  assert.equal(aggregateClient(records, 'http_reqs', { team: 'reports' }, { fromMs: 0, toMs: 1000 }).get({ kind: 'count' }), 5);
});

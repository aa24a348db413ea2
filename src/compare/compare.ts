// The regression gate: a candidate run compared with its baselines, statistic by statistic, with a verdict that
// knows the run-to-run noise. Pure and deterministic (seeded bootstrap): the same runs give the same verdict.

import { bootstrapLogVariance } from './bootstrap.ts';
import { extractMeasurements, type RunRecords } from './extract.ts';
import { DEFAULT_RUN_TO_RUN_SD, errorRateTest, logValue, mdeLogOf, predictionTest, singleBaselineTest, ALPHA, type ErrorRateTest, type RunToRunSpread, type TestResult } from './judge.ts';
import { correlatedPooledDf, fitVariancePrior, type VariancePrior } from './moderate.ts';
import { adaptiveBenjaminiHochberg, mean, sampleSd } from './stats.ts';
import type { Comparison, CompareJson, CompareVerdict, Measurement, RunRef } from './types.ts';
import { adviceFor, decide, decideErrorRate, ERROR_RATE_FLOOR, worseInterval } from './verdict.ts';
import { discountBusyMachine, neighbourLoad, neighbourShare, type NeighbourLoad } from './neighbours.ts';
import { confirmByPeers, peerContrasts } from './peer-contrast.ts';
import { discountSlowMachine, generatorCostUsPerRequest, machineSpeed, type MachineSpeed } from './machine-speed.ts';

/** A run to compare: what compare.json names it by, and its records. */
export interface RunInput {
  ref: RunRef;
  records: RunRecords;
}

/** Options of compareRuns. */
export interface CompareOptions {
  /** Default practical minimum, as a fraction (0.1 = 10%). */
  minEffect?: number;
  /** Per-measurement minimum effects, by key (`http_req_duration{name:company} p(95)`) or metric (`db_query_duration`). */
  minEffects?: Record<string, number>;
  failOnInconclusive?: boolean;
  seed?: number;
  replicates?: number;
  /** Groups of same-build runs, to learn the run-to-run spread when there is a single baseline. */
  noiseGroups?: RunRecords[][];
}

/** The smallest meaningful difference of a metric's unit (ms, req/s, ratio, cores). */
const RESOLUTION: Record<string, number> = { ms: 0.01, per_s: 0.01, ratio: 0.005, cores: 0.01 };

interface Pending {
  c: Omit<Comparison, 'verdict' | 'gated' | 'note' | 'pWorseAdjusted' | 'pBetterAdjusted'>;
  test?: TestResult | ErrorRateTest;
  note?: string;
  k: number;
  cand: Measurement;
  /** Which baselines hold the statistic, one character per baseline ('1' present): moderation correlates on these. */
  runs: string;
  withinVar?: () => number | null;
  /** The spread of one run's log value, when it did not come from the baselines. */
  runSd?: number;
  /** With k >= 2 baselines: the inputs of the prediction test, run once the family's variance prior is known. */
  pred?: { logs: number[]; candLog: number; floorLog: number };
}

/** What the per-statistic steps share: options, the noise runs, and which run-to-run spreads were used. */
interface Context {
  seed: number;
  replicates: number;
  minEffect: number;
  minEffects: Record<string, number>;
  noise: Array<Array<Map<string, Measurement>>>;
  used: { defaultSpread: boolean; learntRuns: number };
}

/** Compares a candidate with one or more baselines (newest first); see DESIGN.md "Regression gate". */
export function compareRuns(baselines: readonly RunInput[], candidate: RunInput, opts: CompareOptions = {}): CompareJson {
  // measurements per run -> one test per statistic (k >= 2: variances moderated over the family) -> adaptive Benjamini–Hochberg
  //   -> verdicts -> a busier or slower machine's latency regressions made inconclusive
  //   -> a name's latency slower than the other names of its run made regressed (peer contrasts) -> overall verdict, exit code
  const ctx: Context = {
    seed: opts.seed ?? 1, replicates: opts.replicates ?? 200, minEffect: opts.minEffect ?? 0.1, minEffects: opts.minEffects ?? {},
    noise: opts.noiseGroups?.map((g) => g.map(extractMeasurements)) ?? [], used: { defaultSpread: false, learntRuns: 0 },
  };
  const cand = extractMeasurements(candidate.records);
  const bases = baselines.map((b) => extractMeasurements(b.records));
  const pending: Pending[] = [];
  for (const [i, key] of allKeys(cand, bases).entries()) {
    const bm = bases.map((b) => b.get(key));
    if (bm.every((m) => m?.value === undefined || m.value === null)) continue; // new in the candidate: nothing to compare
    const cm = cand.get(key) ?? { ...(bm.find((m) => m) as Measurement), value: null, n: 0, series: undefined };
    pending.push(pendingFor(key, cm, bm, 7919 * (i + 1), ctx));
  }
  const prior = moderate(pending);
  const { defaultSpread, learntRuns } = ctx.used;
  const neighbours = neighbourLoad(neighbourShare(candidate.records.samples, candidate.records.cores), baselines.map((b) => neighbourShare(b.records.samples, b.records.cores)));
  const speed = machineSpeed(generatorCostUsPerRequest(candidate.records.intervals), baselines.map((b) => generatorCostUsPerRequest(b.records.intervals)));
  const contrasts = peerContrasts(bases, cand, (ms) => tailShortfall(ms) === undefined, RESOLUTION.ms);
  const judged = confirmByPeers(discountSlowMachine(discountBusyMachine(finishComparisons(pending, prior), neighbours), speed), contrasts);
  return assemble(judged, baselines, candidate, {
    neighbours,
    speed,
    minEffect: ctx.minEffect, failOnInconclusive: opts.failOnInconclusive ?? false, seed: ctx.seed, replicates: ctx.replicates,
    spread: defaultSpread ? { value: DEFAULT_RUN_TO_RUN_SD, source: 'default' } : learntRuns ? { source: 'learnt', runs: learntRuns } : undefined,
    moderation: prior ? { priorDf: Number.isFinite(prior.df) ? prior.df : null, priorSpread: Math.sqrt(prior.variance), statistics: prior.members } : undefined,
  });
}

/**
 * The prediction tests of the statistics with k >= 2 baselines, their variances moderated by a prior fitted to the
 * family of their spreads (Smyth 2004). A family is one statistic of one metric across the request names and the whole
 * run (p(95) of http_req_duration of every name), the members that are alike; different statistics are not pooled (a
 * p(99) is noisier than a p(50) by design, and pooling them raised the false alarms). A statistic whose baselines
 * agree to its resolution is left out and not moderated: its spread is the resolution floor, not a sample. Returns the
 * prior of the largest family, for compare.json.
 */
function moderate(pending: readonly Pending[]): VariancePrior | null {
  const families = new Map<string, Pending[]>();
  for (const p of pending) {
    if (!p.pred || !(sampleSd(p.pred.logs) > p.pred.floorLog)) continue;
    const key = `${p.c.metric} ${p.c.stat}`;
    families.set(key, [...(families.get(key) ?? []), p]);
  }
  const priors = new Map<Pending, VariancePrior>();
  let shown: VariancePrior | null = null;
  for (const live of families.values()) {
    const fitted = fitVariancePrior(live.map((p) => ({ variance: sampleSd(p.pred!.logs) ** 2, df: p.pred!.logs.length - 1 })));
    const prior = fitted && { ...fitted, pooledDf: correlatedPooledDf(live.map((p) => ({ logs: p.pred!.logs, runs: p.runs }))) };
    if (!prior) continue;
    for (const p of live) priors.set(p, prior);
    if (!shown || prior.members > shown.members) shown = prior;
  }
  for (const p of pending) {
    if (p.pred) p.test = predictionTest(p.pred.logs, p.pred.candLog, p.cand.direction, p.pred.floorLog, priors.get(p));
  }
  return shown;
}

/** One statistic: its comparison so far and its test, or the note of why it cannot be tested. */
function pendingFor(key: string, cm: Measurement, bm: ReadonlyArray<Measurement | undefined>, salt: number, ctx: Context): Pending {
  const present = bm.filter((m): m is Measurement => m !== undefined && m.value !== null);
  const res = RESOLUTION[cm.unit] ?? 0.01;
  const centre = cm.kind === 'error-rate'
    ? sum(present, (m) => m.failed ?? 0) / sum(present, (m) => m.n)
    : Math.exp(mean(present.map((m) => logValue(m.value as number, res))));
  const c: Pending['c'] = {
    key, metric: cm.metric, ...(cm.name !== undefined ? { name: cm.name } : {}), stat: cm.stat, unit: cm.unit, direction: cm.direction,
    baseline: { values: bm.map((m) => m?.value ?? null), center: centre }, candidate: cm.value,
    ratio: null, interval: null, pWorse: null, pBetter: null, minDetectableEffect: null,
    minEffect: ctx.minEffects[key] ?? ctx.minEffects[cm.metric] ?? ctx.minEffect, noise: present.length >= 2 ? 'baselines' : 'default',
  };
  const p: Pending = { c, k: present.length, cand: cm, runs: bm.map((m) => (m && m.value !== null ? '1' : '0')).join('') };
  if (cm.value === null) p.note = 'inconclusive: the candidate has no data for it';
  else p.note = tailShortfall([...present, cm]);
  if (p.note) return p;
  if (cm.kind === 'error-rate') {
    p.test = errorRateTest({ failed: sum(present, (m) => m.failed ?? 0), total: sum(present, (m) => m.n) }, { failed: cm.failed ?? 0, total: cm.n });
  } else testContinuous(p, present, res, centre, salt, ctx);
  return p;
}

/** The test of a continuous statistic: the baselines' prediction interval, or with one baseline the widened difference. */
function testContinuous(p: Pending, present: readonly Measurement[], res: number, centre: number, salt: number, ctx: Context): void {
  const within = (m: Measurement, s: number): number | null => {
    const series = m.series?.();
    return series ? (bootstrapLogVariance(series, { seed: ctx.seed + s, replicates: ctx.replicates })?.logVariance ?? null) : null;
  };
  const cm = p.cand;
  const floorLog = res / Math.max(centre, res);
  const candLog = logValue(cm.value as number, res);
  const candWithin = memo(() => within(cm, salt));
  p.withinVar = candWithin;
  if (present.length >= 2) {
    p.pred = { logs: present.map((m) => logValue(m.value as number, res)), candLog, floorLog };
    return;
  }
  const spread = learntSpread(ctx.noise, p.c.key, res) ?? { sd: DEFAULT_RUN_TO_RUN_SD, df: Infinity, source: 'default' as const, includesWithinRun: false };
  if (spread.source === 'default') ctx.used.defaultSpread = true;
  else ctx.used.learntRuns = Math.max(ctx.used.learntRuns, spread.runs ?? 0);
  const wb = spread.includesWithinRun ? 0 : (within(present[0], salt + 1) ?? 0);
  const wc = spread.includesWithinRun ? 0 : (candWithin() ?? 0);
  p.test = singleBaselineTest(logValue(present[0].value as number, res), candLog, cm.direction, { baseline: wb, candidate: wc }, spread, floorLog);
  p.withinVar = () => (spread.includesWithinRun ? null : (wb + wc) / 2);
  p.runSd = Math.sqrt(spread.includesWithinRun ? spread.sd ** 2 : spread.sd ** 2 + (wb + wc) / 2);
}

function finishComparisons(pending: Pending[], prior: VariancePrior | null): Comparison[] {
  // Tarone (1990): a discrete test that cannot reach the level (too few failures) is left out of the family.
  const tested = pending.filter((p) => p.test && !('minPWorse' in p.test && p.test.minPWorse > ALPHA));
  const worse = adaptiveBenjaminiHochberg(tested.map((p) => p.test!.pWorse), ALPHA);
  const better = adaptiveBenjaminiHochberg(tested.map((p) => p.test!.pBetter), ALPHA);
  const adjusted = new Map(tested.map((p, i) => [p, [worse.adjusted[i], better.adjusted[i]]] as const));
  // The level a lone discovery of a regression needs in this family: the MDE is stated at it.
  const found = worse.adjusted.filter((a) => a <= ALPHA).length;
  const mdeLevel = ((ALPHA / (1 + ALPHA)) * Math.max(1, found)) / Math.max(1, worse.m - worse.stageOne);
  const comparisons = pending.map((p): Comparison => {
    const t = p.test;
    if (!t) return { ...p.c, pWorseAdjusted: null, pBetterAdjusted: null, verdict: 'inconclusive', gated: false, note: p.note ?? 'inconclusive' };
    const [aw, ab] = adjusted.get(p) ?? [1, 1];
    const worse = worseInterval(t.interval, p.c.direction);
    const isError = 'candidateRate' in t;
    const d = isError
      ? decideErrorRate({ pWorseAdj: aw, pBetterAdj: ab, worse, minEffect: p.c.minEffect, baselineRate: t.baselineRate, candidateRate: t.candidateRate, candidateUpper: t.candidateUpper })
      : decide({ pWorseAdj: aw, pBetterAdj: ab, worse, minEffect: p.c.minEffect });
    const ratio = isError ? (t.baselineRate > 0 ? t.candidateRate / t.baselineRate : null) : Math.exp(t.logChange);
    const c: Comparison = {
      ...p.c, ratio, interval: t.interval, pWorse: t.pWorse, pBetter: t.pBetter, pWorseAdjusted: aw, pBetterAdjusted: ab,
      minDetectableEffect: Math.exp(isError ? t.mdeLog : mdeLogOf(t.se, t.df, mdeLevel)) - 1, noise: t.noise, verdict: d.verdict, gated: d.gated, note: '',
    };
    c.note = noteFor(c, p, t, mdeLevel, prior);
    return c;
  });
  return comparisons;
}

function noteFor(c: Comparison, p: Pending, t: TestResult | ErrorRateTest, level: number, prior: VariancePrior | null): string {
  const pct = (x: number) => `${Number((x * 100).toPrecision(2))}%`;
  const mde = `could detect ${pct(c.minDetectableEffect ?? 0)}`;
  switch (c.verdict) {
    case 'regressed':
      return c.gated ? `regressed beyond the ${pct(c.minEffect)} minimum (adjusted p ${fmtP(c.pWorseAdjusted)})` : `a real change, but shown smaller than the ${pct(c.minEffect)} minimum${'candidateRate' in t ? ' (or under 0.1 percentage point)' : ''}`;
    case 'improved':
      return `improved (adjusted p ${fmtP(c.pBetterAdjusted)})`;
    case 'unchanged':
      return `any change is within the ${pct(c.minEffect)} minimum; ${mde}`;
    default: {
      if ('candidateRate' in t) return errorRateAdvice(t, p.cand.n);
      if (p.k < 2 && c.noise === 'default') {
        return `inconclusive: ${mde} with one baseline and the assumed ${pct(DEFAULT_RUN_TO_RUN_SD)} run-to-run spread; 3 or more baselines would measure the spread and may decide it`;
      }
      const runSd = p.runSd ?? t.se / Math.sqrt(1 + 1 / Math.max(p.k, 1));
      const significantRaw = (c.pWorse ?? 1) <= ALPHA;
      const prefix = significantRaw ? 'not significant after the multiple-comparison adjustment; ' : '';
      return prefix + adviceFor({ k: p.k, runSd, priorDf: p.k >= 2 && t.df > p.k - 1 ? (prior?.df ?? 0) : 0, withinVar: p.withinVar?.() ?? null, minEffect: c.minEffect, mdeLog: Math.log(1 + (c.minDetectableEffect ?? 0)), level });
    }
  }
}

/** What would decide an inconclusive error rate: with no failures, the requests that show any rise is under 0.1 pp. */
function errorRateAdvice(t: ErrorRateTest, requests: number): string {
  const need = Math.ceil(Math.log(ALPHA) / Math.log(1 - Math.min(0.999, t.baselineRate + ERROR_RATE_FLOOR)));
  return t.candidateRate === 0 && need > requests
    ? `inconclusive: no failures, but ${requests} requests cannot show that a rise is under 0.1 percentage point; a run of ${need} requests would decide it`
    : `inconclusive: too few failures to tell; a longer run (this one has ${requests} requests) would decide it`;
}

const fmtP = (p: number | null) => (p === null ? 'n/a' : p < 0.001 ? '< 0.001' : p.toFixed(3));

/** Why a percentile cannot be gated: some run holds fewer than 10 samples beyond it (n * (1 - q) < 10). */
function tailShortfall(ms: readonly Measurement[]): string | undefined {
  const q = ms[0]?.quantile;
  if (q === undefined || q < 0.5) return undefined;
  const need = Math.ceil(10 / (1 - q) - 1e-9);
  const least = Math.min(...ms.map((m) => m.n));
  if (least >= need) return undefined;
  return `inconclusive: ${ms[0].stat} needs at least ${need} samples per run (10 beyond it), the smallest run has ${least}; a longer run would decide it`;
}

/** The run-to-run spread of a statistic learnt from groups of same-build runs (pooled variance of log values), or null. */
function learntSpread(groups: ReadonlyArray<ReadonlyArray<Map<string, Measurement>>>, key: string, res: number): RunToRunSpread | null {
  let ss = 0;
  let df = 0;
  let runs = 0;
  for (const g of groups) {
    const logs = g.map((m) => m.get(key)?.value).filter((v): v is number => typeof v === 'number').map((v) => logValue(v, res));
    if (logs.length < 2) continue;
    const m = mean(logs);
    ss += logs.reduce((a, x) => a + (x - m) ** 2, 0);
    df += logs.length - 1;
    runs += logs.length;
  }
  return df > 0 ? { sd: Math.sqrt(ss / df), df, source: 'learnt', includesWithinRun: true, runs } : null;
}

function assemble(comparisons: Comparison[], baselines: readonly RunInput[], candidate: RunInput, m: { minEffect: number; failOnInconclusive: boolean; seed: number; replicates: number; spread?: CompareJson['method']['runToRunSpread']; moderation?: CompareJson['method']['moderation']; neighbours?: NeighbourLoad; speed?: MachineSpeed }): CompareJson {
  const count = (v: CompareVerdict) => comparisons.filter((c) => c.verdict === v).length;
  const gated = comparisons.filter((c) => c.gated);
  const inconclusive = count('inconclusive');
  const verdict: CompareVerdict = gated.length ? 'regressed' : inconclusive ? 'inconclusive' : count('improved') ? 'improved' : 'unchanged';
  const fails = gated.length > 0 || (m.failOnInconclusive && inconclusive > 0);
  const reason = gated.length
    ? `${gated.length} regression${gated.length > 1 ? 's' : ''} beyond the minimum effect: ${gated.slice(0, 3).map((c) => c.key).join(', ')}${gated.length > 3 ? ', ...' : ''}`
    : inconclusive
      ? `${inconclusive} comparison${inconclusive > 1 ? 's' : ''} inconclusive${m.failOnInconclusive ? ' (--fail-on-inconclusive)' : ', passing with a warning'}; no regression beyond the minimum effect`
      : `no regression beyond the minimum effect in ${comparisons.length} comparisons`;
  return {
    format: 1, verdict, exitCode: fails ? 99 : 0, reason, candidate: candidate.ref, baselines: baselines.map((b) => b.ref),
    method: {
      mode: baselines.length >= 2 ? 'prediction-interval' : 'widened-within-run', alpha: ALPHA, fdr: 'benjamini-krieger-yekutieli',
      minEffect: m.minEffect, failOnInconclusive: m.failOnInconclusive, seed: m.seed, bootstrapReplicates: m.replicates,
      ...(m.spread ? { runToRunSpread: m.spread } : {}),
      ...(m.moderation ? { moderation: m.moderation } : {}),
      ...(m.neighbours ? { neighbourCpu: m.neighbours } : {}),
      ...(m.speed ? { machineSpeed: m.speed } : {}),
    },
    comparisons,
  };
}

/** Keys of the candidate's measurements, then those only the baselines have (a name the candidate lost). */
function allKeys(cand: Map<string, Measurement>, bases: ReadonlyArray<Map<string, Measurement>>): string[] {
  const keys = [...cand.keys()];
  const seen = new Set(keys);
  for (const b of bases) for (const k of b.keys()) if (!seen.has(k)) (seen.add(k), keys.push(k));
  return keys;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

function memo<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
}

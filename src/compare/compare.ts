// The regression gate: a candidate run compared with its baselines, statistic by statistic, with a verdict that
// knows the run-to-run noise. Pure and deterministic (seeded bootstrap): the same runs give the same verdict.

import { bootstrapLogVariance } from './bootstrap.ts';
import { extractMeasurements, type RunRecords } from './extract.ts';
import { DEFAULT_RUN_TO_RUN_SD, errorRateTest, logValue, mdeLogOf, predictionTest, singleBaselineTest, ALPHA, type ErrorRateTest, type RunToRunSpread, type TestResult } from './judge.ts';
import { adaptiveBenjaminiHochberg, mean } from './stats.ts';
import type { Comparison, CompareJson, CompareVerdict, Measurement, RunRef } from './types.ts';
import { adviceFor, decide, decideErrorRate, worseInterval } from './verdict.ts';

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
  withinVar?: () => number | null;
  /** The spread of one run's log value, when it did not come from the baselines. */
  runSd?: number;
}

/** Compares a candidate with one or more baselines (newest first); see DESIGN.md "Regression gate". */
export function compareRuns(baselines: readonly RunInput[], candidate: RunInput, opts: CompareOptions = {}): CompareJson {
  // measurements per run -> one test per statistic -> Benjamini–Hochberg -> verdicts -> overall verdict and exit code
  const seed = opts.seed ?? 1;
  const replicates = opts.replicates ?? 200;
  const minEffect = opts.minEffect ?? 0.1;
  const cand = extractMeasurements(candidate.records);
  const bases = baselines.map((b) => extractMeasurements(b.records));
  const noise = opts.noiseGroups?.map((g) => g.map(extractMeasurements)) ?? [];
  let defaultSpreadUsed = false;
  let learntRuns = 0;
  const within = (m: Measurement, salt: number): number | null => {
    const s = m.series?.();
    return s ? (bootstrapLogVariance(s, { seed: seed + salt, replicates })?.logVariance ?? null) : null;
  };
  const pending: Pending[] = [];
  let salt = 0;
  for (const key of allKeys(cand, bases)) {
    const bm = bases.map((b) => b.get(key));
    const cm = cand.get(key) ?? { ...(bm.find((m) => m)! as Measurement), value: null, n: 0, series: undefined };
    if (bm.every((m) => m?.value === undefined || m.value === null)) continue;
    const effect = opts.minEffects?.[key] ?? opts.minEffects?.[cm.metric] ?? minEffect;
    const present = bm.filter((m): m is Measurement => m !== undefined && m.value !== null);
    const res = RESOLUTION[cm.unit] ?? 0.01;
    const centre = cm.kind === 'error-rate'
      ? sum(present, (m) => m.failed ?? 0) / sum(present, (m) => m.n)
      : Math.exp(mean(present.map((m) => logValue(m.value as number, res))));
    const c: Pending['c'] = {
      key, metric: cm.metric, ...(cm.name !== undefined ? { name: cm.name } : {}), stat: cm.stat, unit: cm.unit, direction: cm.direction,
      baseline: { values: bm.map((m) => m?.value ?? null), center: centre }, candidate: cm.value,
      ratio: null, interval: null, pWorse: null, pBetter: null, minDetectableEffect: null, minEffect: effect, noise: present.length >= 2 ? 'baselines' : 'default',
    };
    const p: Pending = { c, k: present.length, cand: cm };
    pending.push(p);
    salt += 7919;
    if (cm.value === null) {
      p.note = 'inconclusive: the candidate has no data for it';
      continue;
    }
    const short = tailShortfall([...present, cm]);
    if (short) {
      p.note = short;
      continue;
    }
    if (cm.kind === 'error-rate') {
      p.test = errorRateTest({ failed: sum(present, (m) => m.failed ?? 0), total: sum(present, (m) => m.n) }, { failed: cm.failed ?? 0, total: cm.n });
      continue;
    }
    const floorLog = res / Math.max(centre, res);
    const candLog = logValue(cm.value, res);
    const mySalt = salt;
    const candWithin = memo(() => within(cm, mySalt));
    p.withinVar = candWithin;
    if (present.length >= 2) {
      p.test = predictionTest(present.map((m) => logValue(m.value as number, res)), candLog, cm.direction, floorLog);
      continue;
    }
    const spread = learntSpread(noise, key, res) ?? { sd: DEFAULT_RUN_TO_RUN_SD, df: Infinity, source: 'default' as const, includesWithinRun: false };
    if (spread.source === 'default') defaultSpreadUsed = true;
    else learntRuns = Math.max(learntRuns, spread.runs ?? 0);
    const wb = spread.includesWithinRun ? 0 : (within(present[0], mySalt + 1) ?? 0);
    const wc = spread.includesWithinRun ? 0 : (candWithin() ?? 0);
    p.test = singleBaselineTest(logValue(present[0].value as number, res), candLog, cm.direction, { baseline: wb, candidate: wc }, spread, floorLog);
    const runVar = spread.includesWithinRun ? spread.sd ** 2 : spread.sd ** 2 + (wb + wc) / 2;
    p.withinVar = () => (spread.includesWithinRun ? null : (wb + wc) / 2);
    p.runSd = Math.sqrt(runVar);
  }
  const comparisons = finishComparisons(pending);
  return assemble(comparisons, baselines, candidate, {
    minEffect, failOnInconclusive: opts.failOnInconclusive ?? false, seed, replicates,
    spread: baselines.length >= 2 ? undefined : defaultSpreadUsed ? { value: DEFAULT_RUN_TO_RUN_SD, source: 'default' } : learntRuns ? { source: 'learnt', runs: learntRuns } : undefined,
  });
}

function finishComparisons(pending: Pending[]): Comparison[] {
  // Tarone (1990): a discrete test that cannot reach the level (too few failures) is left out of the family.
  const tested = pending.filter((p) => p.test && !('minPWorse' in p.test && p.test.minPWorse > ALPHA));
  const worse = adaptiveBenjaminiHochberg(tested.map((p) => p.test!.pWorse), ALPHA);
  const better = adaptiveBenjaminiHochberg(tested.map((p) => p.test!.pBetter), ALPHA);
  const adjusted = new Map(tested.map((p, i) => [p, [worse.adjusted[i], better.adjusted[i]]] as const));
  // The level a lone discovery of a regression needs in this family: the MDE is stated at it.
  const found = worse.adjusted.filter((a) => a <= ALPHA).length;
  const mdeLevel = ((ALPHA / (1 + ALPHA)) * Math.max(1, found)) / Math.max(1, worse.m - worse.stageOne);
  return pending.map((p) => {
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
    c.note = noteFor(c, p, t, mdeLevel);
    return c;
  });
}

function noteFor(c: Comparison, p: Pending, t: TestResult | ErrorRateTest, level: number): string {
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
      if ('candidateRate' in t) return `inconclusive: too few failures to tell; a longer run (this one has ${p.cand.n} requests) would decide it`;
      const runSd = p.runSd ?? t.se / Math.sqrt(1 + 1 / Math.max(p.k, 1));
      const significantRaw = (c.pWorse ?? 1) <= ALPHA;
      const prefix = significantRaw ? 'not significant after the multiple-comparison adjustment; ' : '';
      return prefix + adviceFor({ k: p.k, runSd, withinVar: p.withinVar?.() ?? null, minEffect: c.minEffect, mdeLog: Math.log(1 + (c.minDetectableEffect ?? 0)), level });
    }
  }
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

function assemble(comparisons: Comparison[], baselines: readonly RunInput[], candidate: RunInput, m: { minEffect: number; failOnInconclusive: boolean; seed: number; replicates: number; spread?: CompareJson['method']['runToRunSpread'] }): CompareJson {
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

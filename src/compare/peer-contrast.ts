// Each request name's latency judged against the other names of the same run. A slower machine, or one busier with
// other work, moves every name of a run together; a slower endpoint moves its own name alone. So the log value of a
// name less the mean log value of its peers (the other names, same statistic, same run) cancels the run's common
// drift, and the candidate's contrast is judged against the baselines' contrasts by the same prediction test as the
// statistic itself, its spread moderated over the names of the statistic. Pure.
//
//   contrast_r(name, stat) = ln v_r(name, stat) - mean over peers p of ln v_r(p, stat)        (each run r)
//   t = (contrast_cand - mean(contrast_baselines)) / (s~ * sqrt(1 + 1/k))
//
// With a leave-one-out mean, a slowdown of one name by f reads f on that name and f^(-1/(G-1)) (faster) on each peer.

import { ALPHA, logValue, predictionTest, type TestResult } from './judge.ts';
import { correlatedPooledDf, fitVariancePrior, type VariancePrior } from './moderate.ts';
import { adaptiveBenjaminiHochberg, sampleSd } from './stats.ts';
import type { Comparison, Measurement } from './types.ts';

/** Fewest names a statistic needs for contrasts: the name and two peers, so that no single peer is the reference. */
export const MIN_PEER_NAMES = 3;

/** The contrast test of one name's statistic against its peers. */
export interface PeerContrast {
  /** The measurement key, `http_req_duration{name:x} p(95)`. */
  key: string;
  name: string;
  stat: string;
  /** The other names of the same statistic it is judged against. */
  peers: string[];
  test: TestResult;
}

/**
 * The contrast tests of the per-name latency statistics (`http_req_duration` by name, unit ms), for k >= 2 baselines.
 * A name takes part in a statistic when every run (the candidate and each baseline) holds a value for it and
 * `usable` accepts its measurements (the tail rule); a statistic needs MIN_PEER_NAMES such names.
 */
export function peerContrasts(
  baselines: ReadonlyArray<ReadonlyMap<string, Measurement>>,
  candidate: ReadonlyMap<string, Measurement>,
  usable: (ms: readonly Measurement[]) => boolean,
  resolution: number,
): PeerContrast[] {
  if (baselines.length < 2) return [];
  const runs = [...baselines, candidate];
  const byStat = new Map<string, Array<{ name: string; key: string; logs: number[] }>>();
  for (const m of candidate.values()) {
    if (m.metric !== 'http_req_duration' || m.name === undefined || m.unit !== 'ms') continue;
    const ms = runs.map((r) => r.get(m.key));
    if (ms.some((x) => x === undefined || x.value === null) || !usable(ms as Measurement[])) continue;
    const entry = { name: m.name, key: m.key, logs: (ms as Measurement[]).map((x) => logValue(x.value as number, resolution)) };
    byStat.set(m.stat, [...(byStat.get(m.stat) ?? []), entry]);
  }
  const out: PeerContrast[] = [];
  for (const [stat, members] of byStat) {
    if (members.length < MIN_PEER_NAMES) continue;
    out.push(...contrastsOfStat(stat, members, baselines.length, resolution));
  }
  return out;
}

/** The tests of one statistic's names: leave-one-out contrasts per run, spreads moderated over the names. */
function contrastsOfStat(stat: string, members: ReadonlyArray<{ name: string; key: string; logs: number[] }>, k: number, resolution: number): PeerContrast[] {
  const G = members.length;
  const totals = members[0].logs.map((_, r) => members.reduce((a, m) => a + m.logs[r], 0));
  const contrasts = members.map((m) => m.logs.map((x, r) => x - (totals[r] - x) / (G - 1)));
  const prior = contrastPrior(contrasts.map((c) => c.slice(0, k)));
  // The resolution relative to the lowest name's level: identical baselines cannot make a rounding difference significant.
  const floorLog = resolution / Math.exp(Math.min(...members.map((m) => m.logs.reduce((a, x) => a + x, 0) / m.logs.length)));
  return members.map((m, g) => ({
    key: m.key,
    name: m.name,
    stat,
    peers: members.filter((_, h) => h !== g).map((p) => p.name),
    test: predictionTest(contrasts[g].slice(0, k), contrasts[g][k], 'higher-is-worse', floorLog, prior ?? undefined),
  }));
}

/** The variance prior of a statistic's contrasts (Smyth 2004), its degrees of freedom capped for their correlation. */
function contrastPrior(baselineContrasts: readonly number[][]): VariancePrior | null {
  const fitted = fitVariancePrior(baselineContrasts.map((c) => ({ variance: sampleSd(c) ** 2, df: c.length - 1 })));
  if (!fitted) return null;
  const runs = '1'.repeat(baselineContrasts[0].length);
  return { ...fitted, pooledDf: correlatedPooledDf(baselineContrasts.map((logs) => ({ logs, runs }))) };
}

/**
 * The level of the contrasts' own family. They are a second family beside the comparisons' own, and its discoveries
 * add to theirs: a quarter of ALPHA keeps the union of both near ALPHA (measured on synthetic same-build runs; see
 * DESIGN). They are not adjusted together with the comparisons because on a slower machine every absolute latency is
 * a discovery, and Benjamini–Hochberg then becomes lenient for the contrasts, which are null there.
 */
export const PEER_ALPHA = ALPHA / 4;

/**
 * Adds each per-name latency comparison's contrast (`peers`), and makes `regressed` the inconclusive ones that it
 * shows slower than the other names: the contrast is a discovery among the contrasts (adaptive Benjamini–Hochberg,
 * adjusted p at most PEER_ALPHA), and the name itself reads at least the minimum effect slower than its baselines (so names made faster
 * around an unchanged one do not accuse it). It fails the gate when the contrast's interval reaches the minimum.
 * This is how a slower endpoint is still found on a slower or busier machine, whose latency regressions the machine
 * guards made inconclusive. Other verdicts stand.
 */
export function confirmByPeers(comparisons: readonly Comparison[], contrasts: readonly PeerContrast[]): Comparison[] {
  if (contrasts.length === 0) return [...comparisons];
  const adjusted = adaptiveBenjaminiHochberg(contrasts.map((c) => c.test.pWorse), PEER_ALPHA).adjusted;
  const byKey = new Map(contrasts.map((c, i) => [c.key, { c, pAdj: adjusted[i] }] as const));
  return comparisons.map((x) => {
    const found = byKey.get(x.key);
    if (!found) return x;
    const { c, pAdj } = found;
    const ratio = Math.exp(c.test.logChange);
    const peers = { ratio, interval: c.test.interval, pWorseAdjusted: pAdj, names: c.peers.length };
    const m = 1 + x.minEffect;
    if (x.verdict !== 'inconclusive' || pAdj > PEER_ALPHA || !((x.ratio ?? 0) >= m)) return { ...x, peers };
    const gated = c.test.interval[1] >= m;
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    const against = `x${ratio.toFixed(2)} against the other ${c.peers.length} names of the run (90% interval ${c.test.interval.map((v) => v.toFixed(2)).join('-')}, adjusted p ${pAdj < 0.001 ? '< 0.001' : pAdj.toFixed(3)})`;
    const note = gated
      ? `regressed beyond the ${pct(x.minEffect)} minimum relative to its peers: ${against}; the machine's drift moves every name, this one moved alone`
      : `a real change relative to its peers (${against}), but shown smaller than the ${pct(x.minEffect)} minimum`;
    return { ...x, peers, verdict: 'regressed', gated, note };
  });
}

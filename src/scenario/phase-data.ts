// The rule that a gated phase can hold its data: a threshold filtered to a phase (`{phase:recovery}`) is judged
// over that phase alone, so after the profile has scaled it the phase must last long enough, and carry enough
// requests, that the threshold can see something. Otherwise the gate could only say "no data" at the end of the run.
//
//   duration(phase) >= MIN_GATED_PHASE_INTERVALS x interval        (1 s for client metrics, collectors.interval for the rest)
//   expected(phase) >= MIN_GATED_PHASE_REQUESTS                     (client request metrics; iterations for iteration metrics)
//
// The expected count is a steady-state estimate that ignores the target's latency (so it errs high): an open model
// starts the integral of its rate in iterations; a closed model's VUs each complete one iteration per mean think time
// of the journey mix. A request metric filtered to a step (`{name:quote}`) counts that step's requests only.

import type { ConfigIssue } from '../errors.ts';
import type { ProfileName } from '../results/format.ts';
import { metricInfo } from '../metrics/catalog.ts';
import { parseKey } from '../metrics/metric-key.ts';
import { formatDuration, parseDurationMs } from './duration.ts';
import { isOpenModel, spans } from './stages.ts';
import { parseThink } from './think.ts';
import { journeysOf, scenarioParts, type ScenarioPart } from './scenarios.ts';
import type { Journey, LoadOptions, ScenarioDefinition } from './types.ts';

/** A gated phase spans at least this many intervals (of records or of collector samples). */
export const MIN_GATED_PHASE_INTERVALS = 3;
/** A gated phase is expected to hold at least this many of the requests (or iterations) its threshold counts. */
export const MIN_GATED_PHASE_REQUESTS = 5;
/** The engine's interval: client metrics are recorded per second. */
const RECORD_INTERVAL_MS = 1000;
/** Client metrics recorded on every tick, whatever the traffic: only the phase's length matters for them. */
const PER_TICK = new Set(['vus', 'dropped_iterations']);

/** How long a phase lasts and how much load it carries (all stages bearing its name). */
export interface PhaseLoad {
  durationMs: number;
  /** VU-seconds (closed models) or iterations started (open models). */
  volume: number;
}

/** The parts of the run a threshold counts: all, or the one its `{scenario:X}` names. */
function partsOf(def: ScenarioDefinition, scenario: string | undefined): ScenarioPart[] {
  return scenarioParts(def).filter((p) => scenario === undefined || p.name === scenario);
}

/** The phase's duration and volume over every stage that bears the name (in one part, or all of them). */
function partPhaseLoad(load: LoadOptions, phase: string): PhaseLoad {
  let durationMs = 0;
  let volume = 0;
  for (const s of spans(load)) {
    if (s.name !== phase) continue;
    const d = s.endMs - s.startMs;
    durationMs += d;
    volume += ((s.from + s.to) / 2) * (d / 1000); // VUs x s, or iterations/s x s
  }
  return { durationMs, volume };
}

/** The phase's total duration and volume over every stage that bears the name, in the parts of `scenario` (or all). */
export function phaseLoad(def: ScenarioDefinition, phase: string, scenario?: string): PhaseLoad {
  const loads = partsOf(def, scenario).map((p) => partPhaseLoad(p.load, phase));
  return { durationMs: loads.reduce((a, l) => a + l.durationMs, 0), volume: loads.reduce((a, l) => a + l.volume, 0) };
}

/** Per-iteration figures of the journey mix: mean think time, and mean requests (of one step name, if given). */
function mix(journeys: readonly Journey[], stepName: string | undefined): { thinkS: number; requests: number } {
  const total = journeys.reduce((n, j) => n + (j.weight ?? 1), 0);
  let thinkS = 0;
  let requests = 0;
  for (const j of journeys) {
    const p = (j.weight ?? 1) / total;
    for (const step of j.steps) {
      const think = step.think ? parseThink(step.think) : { minMs: 0, maxMs: 0 };
      thinkS += (p * (think.minMs + think.maxMs)) / 2000;
      if (stepName === undefined || step.name === stepName) requests += p;
    }
  }
  return { thinkS, requests };
}

/** Expected iterations and requests in the phase (Infinity for a closed model without think time), over the parts of `scenario` (or all). */
export function expectedInPhase(def: ScenarioDefinition, phase: string, stepName?: string, scenario?: string): { iterations: number; requests: number } {
  let iterations = 0;
  let requests = 0;
  for (const part of partsOf(def, scenario)) {
    const { volume } = partPhaseLoad(part.load, phase);
    const m = mix(journeysOf(def.journeys, part.exec), stepName);
    const it = isOpenModel(part.load) ? volume : volume === 0 ? 0 : m.thinkS === 0 ? Infinity : volume / m.thinkS;
    iterations += it;
    requests += it === Infinity ? (m.requests > 0 ? Infinity : 0) : it * m.requests;
  }
  return { iterations, requests };
}

/** Thresholds whose phase, at this profile, is too short or too quiet to hold the data they judge. */
export function gatedPhaseIssues(def: ScenarioDefinition, profile: ProfileName): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const collectorMs = def.collectors?.interval ? parseDurationMs(def.collectors.interval) : RECORD_INTERVAL_MS;
  for (const [key, list] of Object.entries(def.thresholds ?? {})) {
    const { metric, tags } = parseKey(key);
    const info = metricInfo(metric);
    if (tags.phase === undefined || !info) continue;
    const { durationMs } = phaseLoad(def, tags.phase, tags.scenario);
    if (durationMs === 0) continue; // a phase that names no stage is reported on its own
    const client = info.side === 'client';
    const minMs = MIN_GATED_PHASE_INTERVALS * (client ? RECORD_INTERVAL_MS : collectorMs);
    const counted = client && !PER_TICK.has(metric);
    const iterationMetric = metric === 'iterations' || metric === 'iteration_duration';
    const expected = counted ? expectedInPhase(def, tags.phase, iterationMetric ? undefined : tags.name, tags.scenario) : undefined;
    const n = expected ? (iterationMetric ? expected.iterations : expected.requests) : Infinity;
    if (durationMs >= minMs && n >= MIN_GATED_PHASE_REQUESTS) continue;
    const unit = iterationMetric ? 'iterations' : tags.name ? `"${tags.name}" requests` : 'requests';
    const holds = expected ? ` and is expected to hold about ${round(n)} ${unit}` : '';
    const need = `a gated phase needs at least ${formatDuration(minMs)}${counted ? ` and ${MIN_GATED_PHASE_REQUESTS} expected ${unit}` : ''}`;
    const fix = profile === 'full' ? 'lengthen the phase or raise its load' : `scale it less in profiles.${profile}, or lengthen the phase or raise its load`;
    const expressions = list.map((t) => (typeof t === 'string' ? t : t.threshold)).join('", "');
    out.push({
      path: `thresholds[${JSON.stringify(key)}]`,
      message: `at the ${profile} profile, phase "${tags.phase}" lasts ${formatDuration(durationMs)}${holds}: too little to judge "${expressions}" (${need}; ${fix})`,
    });
  }
  return out;
}

function round(n: number): string {
  return n >= 10 ? String(Math.round(n)) : n.toFixed(1);
}

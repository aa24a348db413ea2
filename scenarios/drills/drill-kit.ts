// Shared pieces of the resilience drills: a steady load in named phases around a fault, so each promise is a
// threshold on a phase (`http_req_failed{phase:outage}`), and the fault window shows as a band on every chart.

import type { Journey, Stage } from '../../src/scenario/types.ts';
import { journeys } from '../journeys.ts';

/** The step names of the journey mix, besides the quote (which goes to the upstream). */
export const LOCAL_STEPS = ['list-companies', 'company', 'company-metrics', 'filings', 'leaderboard', 'create-report'];

/** The journey mix, with quotes allowed to degrade to a fast 503 when no cached quote exists, and weighted `quoteWeight`. */
export function drillJourneys(quoteWeight?: number): Journey[] {
  return journeys.map((j) => ({
    ...j,
    ...(j.name === 'quotes' && quoteWeight !== undefined ? { weight: quoteWeight } : {}),
    steps: j.steps.map((s) => (s.name === 'quote' ? { ...s, expect: [200, 503], check: undefined } : s)),
  }));
}

/** Drill profiles: full is the real drill; ci and smoke shorten every phase and halve the load. */
export const DRILL_PROFILES = { ci: { time: 0.4, load: 0.5 }, smoke: { time: 0.2, load: 0.5 } };

/** Steady load of `vus` users: ramp to it, then hold it through each named phase in turn. */
export function phasedStages(vus: number, phases: Array<[name: string, duration: string]>): Stage[] {
  return [{ duration: '15s', target: vus, name: 'warm-up' }, ...phases.map(([name, duration]) => ({ duration, target: vus, name }))];
}

/** Per-endpoint thresholds: each local step keeps its p95 and error budget during a phase (no cascade). */
export function noCascade(phase: string, p95Ms: number, errorRate: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of LOCAL_STEPS.filter((n) => n !== 'create-report')) {
    out[`http_req_duration{name:${name},phase:${phase}}`] = [`p(95)<${p95Ms}`];
  }
  out[`http_req_failed{phase:${phase}}`] = [`rate<${errorRate}`];
  return out;
}

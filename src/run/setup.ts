// The setup journey: run once before the load on one VU; its captures become variables every VU can read.

import { InvalidRunError } from '../errors.ts';
import type { TemplateVars } from '../scenario/template.ts';
import { connectTargetOf, TimeoutSweeper } from '../engine/http-connection.ts';
import type { ResolvedTarget } from '../engine/host-guard.ts';
import type { CompiledPlan } from '../engine/plan.ts';
import { Recorder } from '../engine/recorder.ts';
import { seededRandom } from '../engine/random.ts';
import { Vu } from '../engine/vu.ts';

/** Runs the setup journey (if any) and returns its captures; a failed setup request makes the run invalid. */
export async function runSetup(
  plan: CompiledPlan,
  target: ResolvedTarget,
  globals: TemplateVars,
  onError: (err: Error) => void,
  opts: { allowHosts?: readonly string[]; insecureSkipTLSVerify?: boolean; tlsCa?: string } = {},
): Promise<Record<string, unknown>> {
  if (!plan.setup) return {};
  const recorder = new Recorder();
  const sweeper = new TimeoutSweeper();
  let templateError: Error | undefined;
  const vu = new Vu(0, {
    plan, recorder, target: connectTargetOf(target, opts.insecureSkipTLSVerify, opts.tlsCa), globals, runners: {},
    redirects: { origin: target.origin, allowHosts: opts.allowHosts ?? [], insecureSkipTLSVerify: opts.insecureSkipTLSVerify ?? false, tlsCa: opts.tlsCa, cleared: new Map(), sweeper },
    onError: (err) => {
      templateError = err;
      onError(err);
    },
  }, seededRandom(0));
  try {
    await vu.runJourney(plan.setup);
  } finally {
    vu.stop();
    sweeper.stop();
  }
  if (templateError) throw new InvalidRunError(`setup failed: ${templateError.message}`);
  for (const r of recorder.take(0, { generatorCpu: 0, generatorLoopLagP99Ms: 0 })) {
    if (r.type === 'req' && r.failed > 0) {
      const what = Object.entries(r.errors).map(([k, n]) => `${k} x${n}`).join(', ') || Object.keys(r.statuses).join(', ');
      throw new InvalidRunError(`setup step "${r.name}" failed (${what}); the load was not started`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vu.vars)) if (k !== '__VU' && k !== '__ITER') out[k] = v;
  return out;
}

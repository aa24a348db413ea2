// A virtual user: owns one connection, runs one journey iteration at a time (steps in order, think time between),
// records every request into the interval recorder. Callback-driven: the hot path allocates little.

import { performance } from 'node:perf_hooks';
import type { TemplateVars } from '../scenario/template.ts';
import { drawThinkMs } from '../scenario/think.ts';
import { HttpConnection, type ConnectTarget, type RequestOutcome } from './http-connection.ts';
import { classifyStatus, isExpectedStatus } from './error-class.ts';
import { pickWeighted } from './random.ts';
import { RedirectChain, type RedirectShared } from './redirect-chain.ts';
import { CookieJar } from './cookie-jar.ts';
import { requestLine } from './redirect.ts';
import type { Recorder, StepStats } from './recorder.ts';
import type { CompiledHttpStep, CompiledJourney, CompiledPlan, CompiledRunnerStep, CompiledStep } from './plan.ts';

/** What a step runner gets with a step: when it was due, the iteration it belongs to, and the iteration's stop. */
export interface StepContext {
  /** The intended start (performance.now() time) of an open-model iteration's first step; undefined otherwise. */
  scheduledAtMs: number | undefined;
  /** The VU's iteration number (`__ITER`); every iteration started gets a new one, also after a stop. */
  iteration: number;
  /** Aborted when the VU stops during this iteration: the step is then neither recorded nor completed. */
  signal: AbortSignal;
}

/**
 * Runs one step of a kind other than http (e.g. sql); calls `done` exactly once, unless `ctx.signal` is aborted.
 * A step stopped by its signal records nothing, and a `done` that comes after the stop is ignored.
 */
export interface StepRunner {
  run(vu: Vu, step: CompiledRunnerStep, ctx: StepContext, done: () => void): void;
  /** Frees what the runner holds for a VU (connections). */
  release?(vu: Vu): void;
}

/** What every VU of an engine shares. */
export interface VuShared {
  plan: CompiledPlan;
  recorder: Recorder;
  target: ConnectTarget;
  /** The redirect chains' shared state (the target's origin, the host guard's inputs, the sweeper). */
  redirects: RedirectShared;
  /** Setup captures and env, read by every VU (prototype of each VU's variables). */
  globals: TemplateVars;
  /** Per-iteration data (feeders): variables for a VU id and iteration number. */
  feed?: (vuId: number, iteration: number) => Record<string, unknown>;
  /** Runners for step kinds other than http. */
  runners: Record<string, StepRunner>;
  /** Reports a problem that is not a request failure (a template variable missing, a runner error). */
  onError: (err: Error) => void;
  /** Each VU keeps a cookie jar for the target (absent: no jar); `reset` clears it at each iteration's start. */
  cookies?: { reset: boolean; https: boolean };
}

/** A virtual user. */
export class Vu {
  readonly vars: TemplateVars;
  readonly conn: HttpConnection;
  /** The VU's cookies for the target, when the scenario keeps them (the default). */
  readonly jar: CookieJar | undefined;
  iteration = 0;
  /** True while an iteration runs. */
  running = false;
  private stopped = false;
  /** Stops the steps of the current iteration; made when a step needs its signal, aborted by stop(). */
  private iterationAbort: AbortController | undefined;
  private thinkTimer: NodeJS.Timeout | undefined;
  private journey: CompiledJourney | undefined;
  private stepIndex = 0;
  private iterStartMs = 0;
  private scheduledAtMs: number | undefined;
  private done: ((vu: Vu) => void) | undefined;
  private readonly statsCache = new Map<CompiledStep, StepStats>();
  /** The redirect chain of the request in flight. */
  private readonly chain: RedirectChain;
  private readonly nextStepBound = () => this.nextStep();

  constructor(
    readonly id: number,
    private readonly shared: VuShared,
    readonly random: () => number,
  ) {
    this.vars = Object.create(shared.globals) as TemplateVars;
    this.vars.__VU = id;
    this.conn = new HttpConnection(shared.target, shared.redirects.sweeper);
    this.jar = shared.cookies ? new CookieJar(shared.cookies.https) : undefined;
    this.chain = new RedirectChain(shared.redirects, this.conn);
  }

  /**
   * Runs one iteration of a weighted-random journey. `scheduledAtMs` (performance.now() time) is the intended start
   * in the open model: the first request and the iteration are measured from it.
   */
  startIteration(scheduledAtMs: number | undefined, done: (vu: Vu) => void): void {
    const plan = this.shared.plan;
    this.running = true;
    this.stopped = false;
    this.iterationAbort = undefined;
    this.done = done;
    this.journey = plan.journeys.length === 1 ? plan.journeys[0] : plan.journeys[pickWeighted(plan.cumulativeWeights, this.random())];
    this.stepIndex = 0;
    this.scheduledAtMs = scheduledAtMs;
    this.iterStartMs = scheduledAtMs ?? performance.now();
    this.vars.__ITER = this.iteration;
    if (this.jar && this.shared.cookies!.reset) this.jar.clear();
    if (this.shared.feed) Object.assign(this.vars, this.shared.feed(this.id, this.iteration));
    this.nextStep();
  }

  /** Runs the given journey once (setup); resolves when done. */
  runJourney(journey: CompiledJourney): Promise<void> {
    return new Promise((resolve) => {
      this.running = true;
      this.stopped = false;
      this.iterationAbort = undefined;
      this.journey = journey;
      this.stepIndex = 0;
      this.scheduledAtMs = undefined;
      this.iterStartMs = performance.now();
      this.done = () => resolve();
      this.nextStep();
    });
  }

  private nextStep(): void {
    this.thinkTimer = undefined;
    if (this.stopped) return;
    const journey = this.journey!;
    if (this.stepIndex >= journey.steps.length) {
      this.finishIteration(true);
      return;
    }
    const step = journey.steps[this.stepIndex++]!;
    const scheduled = this.stepIndex === 1 ? this.scheduledAtMs : undefined;
    if (step.kind === 'http') this.runHttp(step, scheduled);
    else {
      const runner = this.shared.runners[step.kind];
      if (!runner) {
        this.shared.onError(new Error(`step "${step.name}": no runner for steps of type "${step.kind}"`));
        this.finishIteration(false);
        return;
      }
      const iteration = this.iteration;
      runner.run(this, step, { scheduledAtMs: scheduled, iteration, signal: this.signal() }, () => {
        if (this.isCurrent(iteration)) this.afterStep(step);
      });
    }
  }

  /** The current iteration's stop signal. */
  private signal(): AbortSignal {
    return (this.iterationAbort ??= new AbortController()).signal;
  }

  /** Whether the given iteration is still the one running (not stopped, not followed by another). */
  private isCurrent(iteration: number): boolean {
    return !this.stopped && this.iteration === iteration;
  }

  private afterStep(step: CompiledStep): void {
    if (this.stopped) return;
    if (step.think) this.thinkTimer = setTimeout(this.nextStepBound, drawThinkMs(step.think, this.random));
    else this.nextStep();
  }

  /**
   * Ends the iteration and hands the VU back on the next turn of the event loop, never synchronously: an iteration
   * can complete without waiting on I/O (a connect failing at once with ENETUNREACH, a template error, a redirect
   * refused by the host guard), and a closed-model VU that looped on such iterations would starve every timer and
   * signal handler of the process.
   */
  private finishIteration(completed: boolean): void {
    if (completed) this.shared.recorder.iteration((performance.now() - this.iterStartMs) * 1000);
    const next = ++this.iteration;
    this.iterationAbort = undefined;
    setImmediate(() => {
      if (!this.isCurrent(next)) return; // stopped meanwhile: stop() has handed the VU back
      const done = this.done;
      this.done = undefined;
      this.running = false;
      done?.(this);
    });
  }

  /** The recorder's accumulator for a step (cached per VU). */
  stats(step: CompiledStep): StepStats {
    let s = this.statsCache.get(step);
    if (!s) {
      s = this.shared.recorder.step(step.name, step.method, step.journey);
      this.statsCache.set(step, s);
    }
    return s;
  }

  private runHttp(step: CompiledHttpStep, scheduledAtMs: number | undefined): void {
    let bytes = step.staticBytes;
    if (!bytes) {
      try {
        bytes = step.build(this.vars);
      } catch (err) {
        // A template variable is missing (e.g. a capture failed): the iteration cannot go on.
        this.shared.onError(err as Error);
        this.finishIteration(false);
        return;
      }
    }
    if (this.jar && this.jar.size > 0 && !step.ownCookie) bytes = withCookies(bytes, this.jar);
    const sentAtMs = performance.now();
    const startMs = scheduledAtMs !== undefined && scheduledAtMs < sentAtMs ? scheduledAtMs : sentAtMs;
    this.chain.reset();
    this.conn.request(bytes, { collectBody: step.collectBody, head: step.head, timeoutMs: step.timeoutMs, idempotent: step.idempotent }, (o) =>
      this.onResponse(step, o, startMs, sentAtMs, bytes),
    );
  }

  private onResponse(step: CompiledHttpStep, o: RequestOutcome, startMs: number, sentAtMs: number, sent: Buffer): void {
    if (o.setCookies && this.jar && !this.stopped && this.chain.atHome()) this.jar.store(o.setCookies, requestLine(sent).path, performance.now());
    if (!this.stopped && this.chain.takes(step, o, sentAtMs)) {
      const iteration = this.iteration;
      this.chain.follow(step, o.location!, o.status, sent, {
        onResponse: (next, nextSentAtMs, nextSent) => this.onResponse(step, next, startMs, nextSentAtMs, nextSent),
        fail: (errorClass) => this.failChain(step, startMs, errorClass),
        current: () => this.isCurrent(iteration),
      });
      return;
    }
    this.record(step, o, startMs, sentAtMs);
  }

  /** Records a redirect chain that cannot go on (a refused host, an unsupported scheme or an invalid Location). */
  private failChain(step: CompiledHttpStep, startMs: number, errorClass: 'protocol' | 'host_not_allowed'): void {
    const now = performance.now();
    this.record(step, { status: 0, errorClass, firstByteAtMs: 0, endAtMs: now, bytesIn: 0, bytesOut: 0 }, startMs, now);
  }

  private record(step: CompiledHttpStep, o: RequestOutcome, startMs: number, sentAtMs: number): void {
    const stats = this.stats(step);
    let errorClass = o.errorClass;
    let ok = errorClass === undefined && isExpectedStatus(o.status, step.expect);
    const checksPassed = o.status > 0 && (step.checkStatus || step.collectBody) ? this.checkAndCapture(step, stats, o) : true;
    if (ok && !checksPassed && step.checkFails) {
      ok = false;
      errorClass = 'check_failed';
    }
    if (!ok && errorClass === undefined) errorClass = classifyStatus(o.status);
    let waitingUs = o.firstByteAtMs > 0 ? (o.firstByteAtMs - sentAtMs) * 1000 : 0;
    let bytesIn = o.bytesIn;
    let bytesOut = o.bytesOut;
    if (this.chain.hops > 0) {
      // One request per step: the chain's whole time, bytes of every hop, time to first byte of the first hop.
      if (this.chain.firstWaitingUs >= 0) waitingUs = this.chain.firstWaitingUs;
      bytesIn += this.chain.bytesIn;
      bytesOut += this.chain.bytesOut;
    }
    stats.request((o.endAtMs - startMs) * 1000, ok, o.status, errorClass, waitingUs, bytesIn, bytesOut);
    if (o.status === 0 && (step.checkStatus || step.checkBodyIncludes !== undefined || step.jsonChecks.length > 0)) stats.check(false, step.checkName);
    if (this.stopped) return;
    this.afterStep(step);
  }

  /** Counts the step's checks on a response and applies its captures; returns whether every check passed. */
  private checkAndCapture(step: CompiledHttpStep, stats: StepStats, o: RequestOutcome): boolean {
    let passed = true;
    const check = (ok: boolean, name = step.checkName) => {
      stats.check(ok, name);
      passed &&= ok;
    };
    if (step.checkStatus) check(step.checkStatus.has(o.status));
    if (!step.collectBody) return passed;
    const text = o.body ? o.body.toString('utf8') : '';
    if (step.checkBodyIncludes !== undefined) check(text.includes(step.checkBodyIncludes));
    if (step.jsonChecks.length || step.captures.length) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      for (const c of step.jsonChecks) check(json !== undefined && c.test(json), c.name);
      for (const [name, path] of step.captures) {
        const v = json === undefined ? undefined : path(json);
        if (v !== undefined) this.vars[name] = v;
      }
    }
    return passed;
  }

  /**
   * Stops the VU at once: the request or step in flight is abandoned (not recorded), its runner's signal aborted and
   * the socket closed. The iteration number moves on, so whatever of the stopped iteration completes late is stale.
   */
  stop(): void {
    this.stopped = true;
    if (this.running) this.iteration++;
    this.iterationAbort?.abort();
    this.iterationAbort = undefined;
    if (this.thinkTimer) clearTimeout(this.thinkTimer);
    this.thinkTimer = undefined;
    this.conn.destroy();
    this.chain.destroy();
    for (const r of Object.values(this.shared.runners)) r.release?.(this);
    if (this.running) {
      this.running = false;
      const done = this.done;
      this.done = undefined;
      done?.(this);
    }
  }
}

/** The request with a `Cookie` header from the jar after its request line, when a cookie applies to its path. */
function withCookies(request: Buffer, jar: CookieJar): Buffer {
  const end = request.indexOf('\r\n');
  const value = jar.header(requestLine(request).path, performance.now());
  if (value === undefined || end < 0) return request;
  return Buffer.concat([request.subarray(0, end + 2), Buffer.from(`Cookie: ${value}\r\n`, 'latin1'), request.subarray(end + 2)]);
}

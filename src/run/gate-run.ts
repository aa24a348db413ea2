// A gated run: the scenario, optionally against the lab (started for the run, or the one `perfgate lab up` left
// running), with collectors, live thresholds, faults, and the verdict and report at the end.

import { planCollectors, type LabUrls } from '../collectors/resolve.ts';
import { startLab, type Lab } from '../lab/lab.ts';
import { readFileSync } from 'node:fs';
import { readLabInfo, type LabInfo } from '../lab/lab-info.ts';
import { labFaults } from '../lab/control.ts';
import { groupMembers, isAlive } from '../lab/process.ts';
import { ConfigError } from '../errors.ts';
import { loadScenario, type ScenarioCheck } from '../scenario/load.ts';
import type { ScenarioDefinition } from '../scenario/types.ts';
import { checkAlertRules, createGateHooks } from './gate-hooks.ts';
import { planFaults, type FaultTarget } from './fault-scheduler.ts';
import { RunHandle, type RunOutcome } from './run-handle.ts';
import { runScenario, type RunScenarioOptions } from './run-scenario.ts';
import { withTarget } from './resolve-scenario.ts';
import { labTargetWrap, stageDirIn, type ProfilerChoice } from '../profile/launch.ts';
import { withProfile, type ProfiledService } from '../profile/run-hooks.ts';
import type { PrometheusInfo } from '../lab/prometheus.ts';
import { attachHarnessMetrics, startHarnessMetrics, type HarnessMetrics } from './harness-metrics.ts';
import { labRulesYaml, registerRun, withPrometheusReadback } from './lab-prometheus.ts';

/** Options of a gated run: runScenario's, plus the lab and the gate's. */
export interface GateRunOptions extends Omit<RunScenarioOptions, 'hooks' | 'scenario'> {
  /** A scenario name or file. */
  scenario: string;
  /** Run against the lab: reuse a running one that fits, or start one for this run and stop it afterwards. */
  lab?: boolean;
  /** An already started lab to run against (tests share one across runs); it is not stopped afterwards. */
  sharedLab?: Lab;
  /** Seed size of a lab started for the run (default: the scenario's lab.seed, else `default`). */
  labSeed?: 'small' | 'default';
  failOnAlerts?: boolean;
  noReport?: boolean;
  /** Progress lines of the lab and the faults. */
  onLog?: (line: string) => void;
  /** Profile the lab's target under this tool (needs `lab`): a lab of its own, the target in one process. */
  clinic?: ProfilerChoice;
  /** A service of the user's, already running under a profiler: stopped and collected after the load. */
  profiledService?: ProfiledService;
  /** A CA (PEM text, from --ca-file) trusted beside Node's roots for an https target and its /metrics. */
  tlsCa?: string;
  /** Run the lab's Prometheus (as the scenario's `lab: { prometheus: true }`); needs `lab`. */
  prometheus?: boolean;
  /** The harness' metrics endpoint of this run (--metrics-port), already fed by the caller; without one, a run on a lab with Prometheus starts its own on a free port. */
  harnessMetrics?: HarnessMetrics;
}

/** A gated run's outcome: the run's, plus where the report is. */
export interface GateRunOutcome extends RunOutcome {
  reportHtml?: string;
  labReused?: boolean;
}

/** The lab a run uses, and how to let it go. */
interface RunLab {
  urls: LabUrls & { targetUrl: string; pgbouncerUrl?: string };
  faults: FaultTarget;
  release(): Promise<void>;
  reused: boolean;
  /** The lab's target under the profiler, when the run profiles it. */
  profiled?: ProfiledService;
  /** The lab's Prometheus, when it runs one. */
  prometheus?: PrometheusInfo;
}

/** Whether a running lab (from lab.json) has what the scenario needs. */
function labFits(info: LabInfo, def: ScenarioDefinition): boolean {
  const need = def.lab ?? {};
  return (
    isAlive(info.pid) &&
    Boolean(info.targetUrl) &&
    (need.workers === undefined || info.workers === need.workers) &&
    (need.pgbouncer === undefined || Boolean(info.pgbouncerUrl) === need.pgbouncer) &&
    Boolean(info.caFile) === (need.tls ?? false) &&
    (!need.prometheus || Boolean(info.prometheus)) &&
    need.targetEnv === undefined &&
    !need.recovery && // the recovery drills kill and replace the database: never a lab someone else is using
    !need.dbProxy
  );
}

function workerCounter(targetPid: () => number | undefined): () => number {
  return () => {
    const pid = targetPid();
    return pid === undefined ? 0 : groupMembers(pid).filter((p) => p !== pid).length;
  };
}

/** A lab's URLs with its CA's PEM text, when its target serves HTTPS. */
function withLabCa(info: LabInfo): RunLab['urls'] {
  return info.caFile ? { ...info, tlsCa: readFileSync(info.caFile, 'utf8') } : info;
}

/** Reuses the lab of `perfgate lab up` when it fits, or starts one for this run. */
async function acquireLab(def: ScenarioDefinition, opts: GateRunOptions, cwd: string): Promise<RunLab> {
  const shared = opts.clinic ? undefined : opts.sharedLab;
  if (shared) {
    if (def.lab?.prometheus && !shared.info.prometheus) throw new ConfigError([{ path: 'lab.prometheus', message: 'the lab this run shares has no Prometheus (start it with prometheus)' }], 'invalid lab');
    return {
      urls: withLabCa(shared.info),
      faults: { ...shared.faults, workerCount: workerCounter(() => shared.info.services.target?.pid) },
      release: async () => {},
      reused: true,
      prometheus: shared.info.prometheus,
    };
  }
  const running = opts.clinic ? undefined : readLabInfo(cwd); // a profiled target needs a lab of its own
  if (running && labFits(running, def)) {
    opts.onLog?.(`using the running lab (target ${running.targetUrl})`);
    return {
      urls: withLabCa(running),
      faults: { ...labFaults(running), workerCount: workerCounter(() => readLabInfo(cwd)?.services.target?.pid) },
      release: async () => {},
      reused: true,
      prometheus: running.prometheus,
    };
  }
  const stageDir = opts.clinic ? await stageDirIn() : undefined;
  const clinicEnv: Record<string, string> = opts.clinic?.tool === 'heapprofiler' ? { SHUTDOWN_EXIT: 'drain' } : {}; // Clinic writes the heap profile after SIGINT
  const lab: Lab = await startLab({
    seed: def.lab?.seed ?? opts.labSeed ?? 'default',
    workers: def.lab?.workers ?? 1,
    pgbouncer: def.lab?.pgbouncer ?? false,
    tls: def.lab?.tls ?? false,
    recovery: def.lab?.recovery ?? false,
    dbProxy: def.lab?.dbProxy ?? false,
    targetEnv: opts.clinic ? { ...def.lab?.targetEnv, ...clinicEnv } : def.lab?.targetEnv,
    handleSignals: false,
    onLog: opts.onLog,
    ...(def.lab?.prometheus ? { prometheus: { rulesYaml: labRulesYaml(def.alerts, `scenario ${def.name}`) } } : {}),
    ...(opts.clinic && stageDir ? { targetWrap: labTargetWrap(opts.clinic, stageDir.dir) } : {}),
  });
  return {
    urls: withLabCa(lab.info),
    faults: { ...lab.faults, workerCount: workerCounter(() => lab.info.services.target?.pid) },
    release: async () => {
      await lab.stop();
      await stageDir?.remove();
    },
    reused: false,
    prometheus: lab.info.prometheus,
    ...(opts.clinic && stageDir ? { profiled: { choice: opts.clinic, stageDir: stageDir.dir, stop: () => lab.stopTarget() } } : {}),
  };
}

/** Connection URLs a scenario may write instead of a real one: the lab fills them in (`lab:pgbouncer`). */
const LAB_CONNECTIONS = { 'lab:postgres': 'databaseUrl', 'lab:pgbouncer': 'pgbouncerUrl' } as const;

/** Replaces `lab:` connection URLs with the lab's; without a lab (or PgBouncer) that is a ConfigError naming the field. */
export function fillLabConnections(def: ScenarioDefinition, urls: { databaseUrl: string; pgbouncerUrl?: string } | undefined): ScenarioDefinition {
  if (!def.connections) return def;
  const issues: Array<{ path: string; message: string }> = [];
  const connections: NonNullable<ScenarioDefinition['connections']> = {};
  for (const [name, conn] of Object.entries(def.connections)) {
    const key = LAB_CONNECTIONS[conn.url as keyof typeof LAB_CONNECTIONS];
    if (!key) {
      connections[name] = conn;
      continue;
    }
    const url = urls?.[key];
    if (url) connections[name] = { ...conn, url };
    else issues.push({ path: `connections.${name}.url`, message: urls ? `${conn.url}: the lab has no PgBouncer (the scenario's lab.pgbouncer must be true)` : `${conn.url} needs --lab` });
  }
  if (issues.length) throw new ConfigError(issues, 'invalid connections');
  return { ...def, connections };
}

/** Starts a gated run; the handle forwards the inner run's events and resolves once the lab is released. */
export function runWithGate(opts: GateRunOptions): RunHandle {
  return new RunHandle(async (outer) => {
    // load + validate (thresholds, faults) -> lab (reuse or start) -> hooks -> [Prometheus: the scenario's rules, the
    //   harness scraped, the read-back after the load] -> runScenario -> release the lab
    const cwd = opts.cwd ?? process.cwd();
    const env = opts.env ?? process.env;
    const hasLab = opts.lab === true || opts.sharedLab !== undefined;
    // one validation pass: the scenario's problems and the gate's (faults need the lab, alert rules, lab: connections, collector URLs)
    const checks: ScenarioCheck[] = [(d) => planFaults(d.faults, hasLab), (d) => checkAlertRules(d)];
    if (!hasLab) checks.push((d) => fillLabConnections(d, undefined), (d) => d.collectors && planCollectors(d.collectors, env, undefined, opts.targetUrl ?? d.target.baseUrl));
    if (opts.clinic && opts.lab !== true) throw new ConfigError([{ path: '--clinic', message: 'profiles the lab\'s target, so it needs --lab (for your own service: perfgate clinic <tool> <scenario> -- <command>)' }], 'invalid arguments');
    if (opts.prometheus && !hasLab) throw new ConfigError([{ path: '--prometheus', message: "runs the lab's Prometheus, so it needs --lab" }], 'invalid arguments');
    const loaded = withLabPrometheus(await loadScenario(opts.scenario, { profile: opts.profile ?? 'full', overrides: opts.overrides, cwd, env, checks }), opts.prometheus);
    const lab = opts.lab || opts.sharedLab ? await acquireLab(loaded.definition, opts, cwd) : undefined;
    let ownHarness: HarnessMetrics | undefined;
    let registered: { address: string; release(): void } | undefined;
    try {
      const targetUrl = opts.targetUrl ?? lab?.urls.targetUrl;
      // resolved once: the hooks and the engine hold the same definition (lab: connections filled, --target applied)
      const tlsCa = opts.tlsCa ?? lab?.urls.tlsCa;
      const definition = { ...fillLabConnections(loaded.definition, lab?.urls), ...(tlsCa ? { tlsCa } : {}) };
      const resolved = withTarget({ ...loaded, definition }, targetUrl);
      const def = resolved.definition;
      const gate = await createGateHooks({
        definition: def,
        env,
        targetUrl,
        allowHosts: [...(opts.allowHosts ?? []), ...(def.target.allowHosts ?? [])],
        lab: lab ? { urls: lab.urls, faults: lab.faults } : undefined,
        failOnAlerts: opts.failOnAlerts,
        noReport: opts.noReport,
        onLog: opts.onLog,
        onError: (err) => outer.emit('error', err),
      });
      const profiled = lab?.profiled ?? opts.profiledService;
      let hooks = profiled ? withProfile(gate.hooks, profiled, opts.onLog) : gate.hooks;
      if (lab?.prometheus) {
        ownHarness = opts.harnessMetrics ? undefined : await startHarnessMetrics(0);
        const harness = (opts.harnessMetrics ?? ownHarness)!;
        registered = await registerRun(lab.prometheus, { overrides: def.alerts, scenario: def.name, harnessUrl: harness.url, onLog: opts.onLog });
        hooks = withPrometheusReadback(hooks, lab.prometheus, registered.address, opts.onLog);
      }
      const inner = runScenario({ ...opts, scenario: def, resolved, cwd, env, targetUrl, hooks });
      if (ownHarness) attachHarnessMetrics(inner, ownHarness);
      inner.on('start', (e) => outer.emit('start', e));
      inner.on('tick', (r) => outer.emit('tick', r));
      inner.on('sample', (s) => outer.emit('sample', s));
      inner.on('error', (e) => outer.emit('error', e));
      const outcome: GateRunOutcome = await inner;
      if (gate.outputs.reportHtml) outcome.reportHtml = gate.outputs.reportHtml;
      if (lab) outcome.labReused = lab.reused;
      return outcome;
    } finally {
      registered?.release();
      await ownHarness?.close();
      await lab?.release();
    }
  });
}

/** The loaded scenario with `lab.prometheus` set when the run asks for it (--prometheus). */
function withLabPrometheus<T extends { definition: ScenarioDefinition }>(loaded: T, prometheus: boolean | undefined): T {
  return prometheus ? { ...loaded, definition: { ...loaded.definition, lab: { ...loaded.definition.lab, prometheus: true } } } : loaded;
}

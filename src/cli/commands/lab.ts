// `perfgate lab up|status|down`: thin wrapper over src/lab (startLab in the foreground, a detached supervisor
// in the background). URLs are printed with their passwords redacted.

import { Command, Option } from 'commander';
import { checkLabPrerequisites, startLab } from '../../lab/lab.ts';
import { startLabControl } from '../../lab/control.ts';
import { alreadyRunning, runningLab, startBackgroundLab, stopLab, type SupervisorMessage } from '../../lab/background.ts';
import { readLabInfo, redactLabInfo, removeLabInfo, writeLabInfo, type LabInfo } from '../../lab/lab-info.ts';
import { isAlive } from '../../lab/process.ts';
import { labRulesYaml } from '../../run/lab-prometheus.ts';
import { ConfigError, EXIT, exitCodeFor } from '../../errors.ts';

interface UpFlags {
  pgbouncer?: boolean;
  tls?: boolean;
  target: boolean;
  workers: string;
  seed: 'small' | 'default' | 'none';
  prometheus?: boolean;
  foreground?: boolean;
  supervised?: boolean;
  json?: boolean;
}

/** Parses --workers, naming the flag when it is wrong. */
function parseWorkers(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError([{ path: '--workers', message: `must be an integer from 1 to 64, got ${JSON.stringify(raw)}` }]);
  return n;
}

/** The human summary of a lab: one line per URL, passwords redacted. */
export function formatLabInfo(info: LabInfo, alive: (pid: number) => boolean = isAlive): string {
  const r = redactLabInfo(info);
  const state = (name: string): string => {
    const svc = info.services[name];
    return svc ? `pid ${svc.pid} ${alive(svc.pid) ? 'up' : 'DOWN'}` : '';
  };
  const rows: Array<[string, string, string]> = [
    ['target', r.targetUrl, state('target')],
    ['metrics', r.metricsUrl, ''],
    ['upstream', r.upstreamUrl, state('upstream')],
    ['control', r.upstreamControlUrl, ''],
    ['postgres', r.databaseUrl, state('postgres')],
    ['redis', r.redisUrl, state('redis')],
  ];
  if (r.prometheus) rows.push(['prometheus', r.prometheus.url, state('prometheus')]);
  if (r.pgbouncerUrl) rows.push(['pgbouncer', r.pgbouncerUrl, state('pgbouncer')], ['pgb admin', r.pgbouncerAdminUrl ?? '', '']);
  rows.push(['tokens', r.tokensFile, ''], ['state', r.stateDir, '']);
  const lines = rows.filter(([, url]) => url).map(([name, url, st]) => `  ${name.padEnd(10)} ${url}${st ? `  (${st})` : ''}`);
  return `lab running (pid ${info.pid}, started ${info.startedAt}, ${info.workers} worker${info.workers > 1 ? 's' : ''}, seed ${info.seed})\n${lines.join('\n')}\n`;
}

/** Sends a message to the parent when this process is a supervisor. */
function tell(msg: SupervisorMessage): void {
  if (process.send && process.connected) process.send(msg);
}

/**
 * `lab up --foreground`: runs the lab in this process until SIGINT/SIGTERM.
 * startLab → lab.json → (tell the parent) → wait for a signal → stop → remove lab.json.
 */
async function upForeground(flags: UpFlags, workers: number): Promise<void> {
  const existing = await runningLab();
  if (existing) throw alreadyRunning(existing);
  const progress = (line: string): void => {
    if (flags.supervised) tell({ type: 'log', line });
    process.stderr.write(`${line}\n`);
  };
  let signalled: NodeJS.Signals | null = null;
  let wake: () => void = () => undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) process.exit(EXIT.interrupted);
    signalled = sig;
    wake();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);
  try {
    const prometheus = flags.prometheus ? { rulesYaml: labRulesYaml() } : undefined;
    const lab = await startLab({ pgbouncer: flags.pgbouncer, tls: flags.tls, target: flags.target, workers, seed: flags.seed, onLog: progress, handleSignals: false, ...(prometheus ? { prometheus } : {}) });
    try {
      if (signalled) return;
      const control = await startLabControl(lab, (info) => writeLabInfo(info));
      lab.info.controlUrl = control.url;
      lab.info.controlToken = control.token;
      writeLabInfo(lab.info);
      process.on('exit', () => {
        if (readLabInfo()?.pid === process.pid) removeLabInfo();
      });
      tell({ type: 'ready', info: lab.info });
      if (flags.json) process.stdout.write(`${JSON.stringify(redactLabInfo(lab.info), null, 2)}\n`);
      else process.stdout.write(`${formatLabInfo(lab.info)}${flags.supervised ? '' : 'Ctrl-C stops the lab.\n'}`);
      // The services are unref'd children: a timer keeps this process alive until a signal arrives.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
      clearInterval(keepAlive);
      progress(`${signalled ?? 'signal'} received: stopping the lab`);
    } finally {
      await lab.stop();
      if (readLabInfo()?.pid === process.pid) removeLabInfo();
      progress('lab stopped');
    }
  } catch (err) {
    tell({ type: 'error', message: err instanceof Error ? err.message : String(err), exitCode: exitCodeFor(err) });
    throw err;
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
  }
}

/** `lab up`: foreground, or a background supervisor that outlives this command. */
async function up(flags: UpFlags): Promise<void> {
  const workers = parseWorkers(flags.workers);
  if (flags.foreground) return upForeground(flags, workers);
  checkLabPrerequisites({ pgbouncer: flags.pgbouncer, target: flags.target, prometheus: flags.prometheus });
  const info = await startBackgroundLab({
    pgbouncer: flags.pgbouncer,
    tls: flags.tls,
    target: flags.target,
    workers,
    seed: flags.seed,
    prometheus: flags.prometheus,
    onLog: (line) => process.stderr.write(`${line}\n`),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(redactLabInfo(info), null, 2)}\n`);
  else process.stdout.write(`${formatLabInfo(info)}Stop it with \`perfgate lab down\`.\n`);
}

/** `lab status`: prints the running lab; exit 1 when none runs. */
async function status(flags: { json?: boolean }): Promise<void> {
  const info = readLabInfo();
  const running = info !== null && isAlive(info.pid);
  if (flags.json) {
    const services = info
      ? Object.fromEntries(Object.entries(info.services).map(([k, v]) => [k, { ...v, alive: isAlive(v.pid) }]))
      : undefined;
    process.stdout.write(`${JSON.stringify(info ? { running, ...redactLabInfo(info), services } : { running: false }, null, 2)}\n`);
  } else if (!info) {
    process.stdout.write('no lab is running (start one with `perfgate lab up`)\n');
  } else if (!running) {
    process.stdout.write(`no lab is running: .perfgate/lab.json is stale (pid ${info.pid} is gone); \`perfgate lab down\` cleans up\n`);
  } else {
    process.stdout.write(formatLabInfo(info));
  }
  if (!running) process.exitCode = 1;
}

/** `lab down`: stops the lab and removes its folder. */
async function down(): Promise<void> {
  const t0 = Date.now();
  const info = readLabInfo();
  if (!(await stopLab())) {
    process.stdout.write('no lab is running\n');
    return;
  }
  process.stdout.write(`lab stopped (pid ${info?.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s); removed ${info?.stateDir}\n`);
}

/** Registers `perfgate lab`. */
export function registerLab(program: Command): void {
  const lab = program.command('lab').description('start, inspect and stop the local lab (PostgreSQL, Redis, PgBouncer, upstream, target)');
  lab
    .command('up')
    .description('start the lab; returns once every service is ready and leaves it running in the background')
    .option('--pgbouncer', 'put PgBouncer (transaction mode) between the target and PostgreSQL')
    .option('--workers <n>', 'target workers (node:cluster)', '1')
    .option('--tls', "serve the target over HTTPS (TLS 1.2 at the least, 1.3 preferred) with a certificate from the lab's own CA")
    .addOption(new Option('--seed <size>', 'seed data size').choices(['small', 'default', 'none']).default('default'))
    .option('--prometheus', "also run Prometheus: it scrapes the target and each run's harness, with the exported alert rules")
    .option('--no-target', 'start only the data services (PostgreSQL, Redis, PgBouncer), without the upstream and the target')
    .option('--foreground', 'stay attached until Ctrl-C instead of running in the background')
    .addOption(new Option('--supervised').hideHelp())
    .option('--json', 'print the lab as JSON (passwords redacted)')
    .action(up);
  lab.command('status').description('print the running lab (exit 1 when none runs)').option('--json', 'as JSON').action(status);
  lab.command('down').description('stop every lab service and remove its data folder').action(down);
}

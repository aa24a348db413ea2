// `perfgate export prometheus-rules [<scenario>|--catalogue] [--out FILE]` and
// `perfgate export promtool-tests <run-dir> [--rules FILE] [--out FILE]` and `perfgate export grafana [--out DIR]`: the SLO
// catalogue and the alert rules as a Prometheus rules file, a recorded run as a `promtool test rules` file, and the
// Grafana boards with their provisioning. Thin: the generators are in src/slo/.

import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { slos } from '../../../scenarios/slos.ts';
import { loadScenario } from '../../scenario/load.ts';
import { resolveAlertRules } from '../../slo/alert-rules.ts';
import { prometheusRules, rulesYaml } from '../../slo/prometheus-rules.ts';
import { promtoolTests, promtoolTestsYaml } from '../../slo/promtool-tests.ts';
import { readRunDir } from '../../results/read.ts';
import { runAlertOverrides } from '../../slo/evaluate-run.ts';
import { k6Script } from '../../scenario/k6-script.ts';
import { k6OperatorManifests, k8sName } from '../../scenario/k6-operator.ts';
import type { ProfileName } from '../../results/format.ts';
import { indexedJobManifest } from '../../scenario/k8s-job.ts';
import { parseRfc3339Ms } from '../../results/k6-json.ts';
import { grafanaExport } from '../../slo/grafana-dashboards.ts';

/** Writes text to a file (its folder created) or to stdout; says where on stderr. */
async function emit(text: string, out: string | undefined): Promise<void> {
  if (!out) {
    process.stdout.write(text);
    return;
  }
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  process.stderr.write(`perfgate: wrote ${relative(process.cwd(), path) || path}\n`);
}

/** The rules file of a scenario's alert rules (its overrides on the defaults), or of the catalogue's defaults. */
export async function rulesFor(scenario: string | undefined, opts: { interval?: string } = {}): Promise<{ yaml: string; source: string }> {
  const overrides = scenario ? (await loadScenario(scenario, { profile: 'full', cwd: process.cwd(), env: process.env })).definition.alerts : undefined;
  const source = scenario ? `scenario ${scenario} (scenarios/slos.ts and its alert rules)` : 'the SLO catalogue (scenarios/slos.ts) and the default alert rules';
  const file = prometheusRules(slos, resolveAlertRules(overrides), opts);
  return { yaml: rulesYaml(file, source), source };
}

/** Writes the Grafana export's files under `outDir`; returns their paths. */
export async function writeGrafanaExport(outDir: string, dashboardsPath?: string): Promise<string[]> {
  const files = grafanaExport(dashboardsPath ? { dashboardsPath } : {});
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const path = join(resolve(outDir), rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}

/** Registers `perfgate export`. */
export function registerExport(program: Command): void {
  const exp = program.command('export').description('export the SLOs and alert rules for a Prometheus (rules, promtool tests), or a scenario as a k6 script');
  exp
    .command('prometheus-rules')
    .description('write a Prometheus rules file: SLI recording rules, the P0-P2 alerting rules and the error-budget burn-rate alerts')
    .argument('[scenario]', "a scenario name or file: its alert rules (the defaults with the scenario's overrides)")
    .option('--catalogue', 'the SLO catalogue and the default alert rules (the default without a scenario)')
    .option('--interval <duration>', 'the rule groups\' evaluation interval, e.g. "15s" (default: the server\'s)')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (scenario: string | undefined, opts: { catalogue?: boolean; interval?: string; out?: string }) => {
      if (scenario && opts.catalogue) throw new ConfigError([{ path: '--catalogue', message: 'give a scenario or --catalogue, not both' }], 'invalid arguments');
      if (opts.interval !== undefined && !/^(\d+(ms|s|m|h))+$/.test(opts.interval)) throw new ConfigError([{ path: '--interval', message: `bad duration ${JSON.stringify(opts.interval)} (e.g. "15s")` }], 'invalid arguments');
      const { yaml } = await rulesFor(scenario, { interval: opts.interval });
      await emit(yaml, opts.out);
    });
  exp
    .command('k6')
    .description('write the scenario as a k6 script (an ES module, k6 modules only); what k6 cannot express is listed in it and on stderr')
    .argument('<scenario>', 'a scenario name or file')
    .option('--profile <profile>', 'full, ci or smoke', 'full')
    .option('--out <file>', 'write here instead of stdout')
    .option('--operator', 'also write the k6-operator manifests (a ConfigMap with the script and a TestRun) next to --out')
    .option('--parallelism <n>', 'with --operator: the number of runner pods', '1')
    .action(async (scenario: string, opts: { profile: string; out?: string; operator?: boolean; parallelism: string }) => {
      const issues = [];
      if (!['full', 'ci', 'smoke'].includes(opts.profile)) issues.push({ path: '--profile', message: 'must be full, ci or smoke' });
      const parallelism = Number(opts.parallelism);
      if (!Number.isInteger(parallelism) || parallelism < 1) issues.push({ path: '--parallelism', message: `must be a positive integer (got "${opts.parallelism}")` });
      if (opts.operator && !opts.out) issues.push({ path: '--operator', message: 'needs --out (the manifests are written next to the script)' });
      if (issues.length) throw new ConfigError(issues, 'invalid arguments');
      const def = (await loadScenario(scenario, { profile: opts.profile as ProfileName, cwd: process.cwd(), env: process.env })).definition;
      const { script, notes } = k6Script(def, { profile: opts.profile });
      for (const n of notes) process.stderr.write(`perfgate: not in the k6 script: ${n}\n`);
      await emit(script, opts.out);
      if (opts.operator && opts.out) await emit(k6OperatorManifests(def.name, script, { parallelism, dataFiles: Object.values(def.data ?? {}).map((f) => f.file) }), join(dirname(resolve(opts.out)), `${k8sName(def.name)}-k6-operator.yaml`));
    });
  exp
    .command('grafana')
    .description('write Grafana provisioning files and the four boards (API overview, database, infrastructure, business) as dashboard JSON')
    .option('--out <dir>', 'the folder to write into', 'grafana')
    .option('--dashboards-path <path>', "where Grafana will read the dashboards from (the provider's path)", '/var/lib/grafana/dashboards/perfgate')
    .action(async (opts: { out: string; dashboardsPath: string }) => {
      const written = await writeGrafanaExport(opts.out, opts.dashboardsPath);
      process.stderr.write(`perfgate: wrote ${written.length} files under ${relative(process.cwd(), resolve(opts.out)) || '.'}\n`);
    });
  exp
    .command('k8s')
    .description('write a Kubernetes Indexed Job that runs the scenario as N perfgate processes, one execution segment each, for perfgate merge')
    .argument('<scenario>', 'a scenario name or file, as the image resolves it')
    .requiredOption('--target <url>', 'the base URL the pods load (its host is allowed with --allow-host)')
    .option('--profile <profile>', 'full, ci or smoke', 'full')
    .option('--parallelism <n>', 'the number of pods (segments)', '3')
    .requiredOption('--image <image>', 'a container image with perfgate and the scenario in its working directory')
    .option('--start-at <time>', 'RFC 3339: the moment every pod starts its share, on one interval grid')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (scenario: string, opts: { target: string; profile: string; parallelism: string; image: string; startAt?: string; out?: string }) => {
      const issues = [];
      if (!/^[A-Za-z0-9._/-]+$/.test(scenario)) issues.push({ path: 'scenario', message: `must be a name or path of letters, digits, ".", "_", "/" and "-" (it goes into the pods' command line), got ${JSON.stringify(scenario)}` });
      if (!['full', 'ci', 'smoke'].includes(opts.profile)) issues.push({ path: '--profile', message: 'must be full, ci or smoke' });
      const parallelism = Number(opts.parallelism);
      if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000) issues.push({ path: '--parallelism', message: `must be an integer from 1 to 1000 (got "${opts.parallelism}")` });
      let url: URL | undefined;
      try {
        url = new URL(opts.target);
      } catch {
        issues.push({ path: '--target', message: `is not a URL: "${opts.target}"` });
      }
      if (url && url.protocol !== 'http:' && url.protocol !== 'https:') issues.push({ path: '--target', message: 'must be an http:// or https:// URL' });
      if (opts.startAt !== undefined && parseRfc3339Ms(opts.startAt) === null) issues.push({ path: '--start-at', message: `must be an RFC 3339 time such as 2026-01-02T15:04:05Z (got "${opts.startAt}")` });
      if (issues.length) throw new ConfigError(issues, 'invalid arguments');
      await emit(indexedJobManifest({ scenario, profile: opts.profile, parallelism, image: opts.image, targetUrl: opts.target, ...(opts.startAt ? { startAt: opts.startAt } : {}) }), opts.out);
    });
  exp
    .command('promtool-tests')
    .description("write a `promtool test rules` file from a recorded run: its series as input, perfgate's alerts as expected alerts")
    .argument('<run-dir>', 'the run directory')
    .option('--rules <file>', 'the rules file the tests load (default: prometheus-rules.yml next to the output)', 'prometheus-rules.yml')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (runDir: string, opts: { rules: string; out?: string }) => {
      const data = await readRunDir(resolve(runDir));
      const rules = resolveAlertRules(runAlertOverrides(data.run), 'invalid alert rules in run.json');
      await emit(promtoolTestsYaml(promtoolTests(data, rules, { ruleFiles: [opts.rules], catalogue: slos }), basename(resolve(runDir))), opts.out);
    });
}

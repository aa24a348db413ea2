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
  const exp = program.command('export').description('export the SLOs and alert rules for a Prometheus (rules, promtool tests)');
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
    .command('grafana')
    .description('write Grafana provisioning files and the four boards (API overview, database, infrastructure, business) as dashboard JSON')
    .option('--out <dir>', 'the folder to write into', 'grafana')
    .option('--dashboards-path <path>', "where Grafana will read the dashboards from (the provider's path)", '/var/lib/grafana/dashboards/perfgate')
    .action(async (opts: { out: string; dashboardsPath: string }) => {
      const written = await writeGrafanaExport(opts.out, opts.dashboardsPath);
      process.stderr.write(`perfgate: wrote ${written.length} files under ${relative(process.cwd(), resolve(opts.out)) || '.'}\n`);
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

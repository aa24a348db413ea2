#!/usr/bin/env node
// Runs the test suite (test/**/*.test.ts) or, with --bench, the benchmarks (test/bench/*.bench.ts) under node:test with tsx.
// --unit runs the fast tier only: the pure tests (no service, no load, no CLI process) listed in UNIT, concurrently.
// The whole suite runs that tier first, concurrently, then the rest one file at a time (their loads and labs must not
// share the machine's cores with another test).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const bench = process.argv.includes('--bench');
const unit = process.argv.includes('--unit');

/**
 * The unit tier: folders and files whose tests are pure (data in, data out; temporary files at most). A test that
 * starts a service, a server, a lab, a load or a CLI process does not belong here; `npm test` runs everything.
 */
const UNIT = [
  'test/architecture/',
  'test/metrics/',
  'test/scenario/',
  'test/slo/capacity', 'test/slo/catalogue', 'test/slo/evaluate', 'test/slo/grammar', 'test/slo/junit-markdown',
  'test/slo/live', 'test/slo/sample-size', 'test/slo/slos', 'test/slo/verdict-alerts', 'test/slo/workflow',
  'test/compare/stats', 'test/compare/min-effects',
  'test/engine/error-class', 'test/engine/execution-segment', 'test/engine/http-parser', 'test/engine/interval-merge', 'test/engine/random',
  'test/engine/recorder', 'test/engine/redirect', 'test/engine/cookie-jar',
  'test/collectors/counters', 'test/collectors/prometheus-derive', 'test/collectors/prometheus-parse', 'test/collectors/resolve',
  'test/report/specs', 'test/report/text', 'test/report/series',
  'test/results/import-k6', 'test/results/read', 'test/results/run-dir-writer', 'test/results/summary',
  'test/run/fault-scheduler', 'test/run/progress',
  'test/lab/units', 'test/lab/recovery-units', 'test/run/recovery-measure', 'test/report/recovery-section',
  'test/slo/prometheus-alerts', 'test/slo/burn-rate',
  'test/compare/machine-speed', 'test/compare/peer-contrast', 'test/run/connection-leak',
];
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const root = join(import.meta.dirname, '..');

/** Lists files under dir whose names end with suffix, skipping excluded folders. */
function find(dir, suffix, exclude) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!exclude.includes(relative(root, path))) out.push(...find(path, suffix, exclude));
    } else if (entry.endsWith(suffix)) out.push(relative(root, path));
  }
  return out.sort();
}

const files = bench
  ? find(join(root, 'test', 'bench'), '.bench.ts', [])
  : find(join(root, 'test'), '.test.ts', [join('test', 'bench')]);
const isUnit = (f) => UNIT.some((u) => f.split('\\').join('/').startsWith(u));
const tier = unit ? files.filter(isUnit) : files;
const selected = filters.length ? tier.filter((f) => filters.some((x) => f.includes(x))) : tier;
if (selected.length === 0) {
  console.error(`no ${bench ? 'benchmark' : 'test'} file matches ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

/** Runs files under node:test with tsx, `concurrency` files at a time; the exit status. */
function runFiles(list, concurrency) {
  if (list.length === 0) return 0;
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`];
  if (bench) args.push('--test-timeout=1800000');
  return spawnSync(process.execPath, [...args, ...list], { stdio: 'inherit', cwd: root }).status ?? 1;
}

const parallel = Math.max(2, availableParallelism());
if (bench) process.exit(runFiles(selected, 1));
if (unit) process.exit(runFiles(selected, parallel));
// Both stages run even when the first fails, so one run reports every failure.
const first = runFiles(selected.filter(isUnit), parallel);
const second = runFiles(selected.filter((f) => !isUnit(f)), 1);
process.exit(first || second);

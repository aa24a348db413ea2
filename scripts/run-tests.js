#!/usr/bin/env node
// Runs the test suite (test/**/*.test.ts) or, with --bench, the benchmarks (test/bench/*.bench.ts) under node:test with tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const bench = process.argv.includes('--bench');
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
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error(`no ${bench ? 'benchmark' : 'test'} file matches ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1'];
if (bench) args.push('--test-timeout=1800000');
const result = spawnSync(process.execPath, [...args, ...selected], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);

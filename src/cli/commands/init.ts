// `perfgate init`: scaffolds a start in the user's project (as `k6 new` does): an example scenario, an SLO file that
// cites the catalogue, a CI workflow and a reports/ entry in .gitignore. It never overwrites a file that exists.

import type { Command } from 'commander';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors.ts';

const LAB_URL = 'http://127.0.0.1:8080';

/** The files init writes, by path relative to the project, for a target base URL. */
export function scaffoldFiles(targetUrl: string): Record<string, string> {
  return {
    'scenarios/slos.ts': `// This project's SLOs, built from perfgate's catalogue (slos.api, slos.database, slos.cache, slos.normal, slos.peak).
import { mergeSlos, slos } from 'perfgate';

/** API latency and errors, plus a tighter bound on the root endpoint. */
export const apiSlos = mergeSlos(slos.api, { 'http_req_duration{name:root}': ['p(95)<100'] });
`,
    'scenarios/example.ts': `// An example scenario: run it with \`npx perfgate run scenarios/example.ts\` (\`--target URL\` points it elsewhere).
import { defineScenario } from 'perfgate';
import { apiSlos } from './slos.js';

export default defineScenario({
  name: 'example',
  target: { baseUrl: '${targetUrl}' },
  load: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '30s', preAllocatedVUs: 5, maxVUs: 20 },
  journeys: [{ name: 'home', steps: [{ name: 'root', method: 'GET', path: '/' }] }],
  thresholds: apiSlos,
  profiles: { ci: { time: 0.5, load: 1 }, smoke: { time: 0.1, load: 0.5 } },
});
`,
    '.github/workflows/perf.yml': `# Performance gate: runs scenarios/example.ts at the ci profile on every pull request and fails the job when an
# SLO fails (perfgate exits 99; 103 invalid run, 104 bad configuration). The run directory is uploaded either way.
name: perf
on:
  pull_request:
  workflow_dispatch:
permissions:
  contents: read
jobs:
  perf:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      # Start the service under test here, then:
      - run: npx perfgate run scenarios/example.ts --profile ci
      - if: always()
        uses: actions/upload-artifact@v4
        with:
          name: perfgate-reports
          path: reports/
          if-no-files-found: warn
`,
  };
}

/** Writes each file that does not exist yet; returns what it did, one line per file. */
export async function scaffold(cwd: string, targetUrl: string): Promise<string[]> {
  const done: string[] = [];
  for (const [rel, text] of Object.entries(scaffoldFiles(targetUrl))) {
    const path = join(cwd, rel);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, text, { flag: 'wx' });
      done.push(`created ${rel}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      done.push(`kept ${rel} (exists)`);
    }
  }
  done.push(await ignoreReports(cwd));
  return done;
}

/** Adds `reports/` to .gitignore unless a line already ignores it. */
async function ignoreReports(cwd: string): Promise<string> {
  const path = join(cwd, '.gitignore');
  const text = await readFile(path, 'utf8').catch(() => '');
  if (text.split(/\r?\n/).some((l) => ['reports', 'reports/', '/reports', '/reports/', 'reports/*'].includes(l.trim()))) {
    return 'kept .gitignore (reports/ already ignored)';
  }
  await appendFile(path, `${text && !text.endsWith('\n') ? '\n' : ''}reports/\n`);
  return text ? 'added reports/ to .gitignore' : 'created .gitignore';
}

/** Registers `perfgate init`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('scaffold scenarios/example.ts, scenarios/slos.ts, .github/workflows/perf.yml and reports/ in .gitignore (never overwrites)')
    .option('--target <url>', 'base URL of the service the example scenario runs against', LAB_URL)
    .action(async (flags: { target: string }) => {
      if (!/^https?:\/\//.test(flags.target)) throw new ConfigError([{ path: '--target', message: `must be an http:// or https:// URL (got "${flags.target}")` }], 'invalid arguments');
      for (const line of await scaffold(process.cwd(), flags.target)) process.stdout.write(`${line}\n`);
    });
}

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck, type CheckFlags } from '../../src/cli/commands/check.ts';
import { exitCodeFor } from '../../src/errors.ts';
import { checkRunDir, writeMarkdownSummary } from '../../src/run/check-run-dir.ts';
import { FIXTURES } from './support.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'perfgate.js');
let dir = '';

/** Runs the real CLI in a child process; resolves to its exit code and output. */
function perfgate(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: child.exitCode ?? (err as { code?: number } | null)?.code ?? 1, stdout, stderr });
    });
  });
}

/** Runs `perfgate check` in this process (a child costs seconds): the command's own function, errors mapped as main() does. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [dirArg, ...rest] = args.slice(1);
  const flags: CheckFlags = {
    thresholds: rest.includes('--thresholds') ? rest[rest.indexOf('--thresholds') + 1] : undefined,
    out: rest.includes('--out') ? rest[rest.indexOf('--out') + 1] : undefined,
    failOnAlerts: rest.includes('--fail-on-alerts'),
    json: rest.includes('--json'),
  };
  let stdout = '';
  try {
    const code = await runCheck(dirArg, flags, { write: (t) => (stdout += t), env: {} });
    return { code, stdout, stderr: '' };
  } catch (err) {
    return { code: exitCodeFor(err), stdout, stderr: (err as Error).message };
  }
}

before(async () => {
  // Never write into fixtures/: every test works on a copy.
  dir = await mkdtemp(join(tmpdir(), 'perfgate-check-'));
  for (const name of ['pass', 'fail', 'interrupted', 'no-server']) await cp(join(FIXTURES, name), join(dir, name), { recursive: true });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('perfgate check (the real binary) exits 0 on a passing run, writes every output and appends the Markdown to GITHUB_STEP_SUMMARY', async () => {
  const run = join(dir, 'pass');
  for (const f of ['verdict.json', 'summary.json', 'junit.xml', 'summary.md']) await rm(join(run, f), { force: true });
  const stepSummary = join(dir, 'step-summary.md');
  await writeFile(stepSummary, 'earlier step\n');
  const { code, stdout } = await perfgate(['check', run], { GITHUB_STEP_SUMMARY: stepSummary });
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^PASS \(exit 0\): all 8 thresholds passed/);
  const verdict = JSON.parse(await readFile(join(run, 'verdict.json'), 'utf8'));
  const summary = JSON.parse(await readFile(join(run, 'summary.json'), 'utf8'));
  assert.equal(verdict.status, 'pass');
  assert.equal(summary.metrics.http_req_duration.thresholds['p(95)<200'].ok, true);
  // 8 thresholds and 9 alert rules (the 7 defaults and the 2 burn-rate pairs), one test case each
  assert.match(await readFile(join(run, 'junit.xml'), 'utf8'), /<testsuites name="perfgate" tests="17" failures="0"/);
  const md = await readFile(join(run, 'summary.md'), 'utf8');
  assert.equal(await readFile(stepSummary, 'utf8'), `earlier step\n${md}\n`);
});

test('perfgate check exits 99 on the failing run, and 105 on the interrupted one though its thresholds pass', async () => {
  const fail = await inProcess(['check', join(dir, 'fail')]);
  assert.equal(fail.code, 99);
  assert.match(fail.stdout, /✗ http_req_duration p\(95\)<200  420 ms/);
  const interrupted = await inProcess(['check', join(dir, 'interrupted')]);
  assert.equal(interrupted.code, 105);
  assert.match(interrupted.stdout, /^INTERRUPTED/);
});

test('an impossible --thresholds file exits 99 with the failing line in summary.md and junit.xml', async () => {
  const run = join(dir, 'no-server');
  const file = join(dir, 'impossible.json');
  await writeFile(file, JSON.stringify({ thresholds: { 'http_req_duration{name:company}': ['p(99)<1'] } }));
  const out = join(dir, 'impossible-check');
  const { code, stdout } = await inProcess(['check', run, '--thresholds', file, '--json', '--out', out]);
  assert.equal(code, 99);
  const verdict = JSON.parse(stdout);
  assert.equal(verdict.thresholds.length, 1);
  assert.equal(verdict.thresholds[0].pass, false);
  assert.match(await readFile(join(out, 'summary.md'), 'utf8'), /\| ❌ \| `http_req_duration\{name:company\}` \| `p\(99\)<1` \|/);
  assert.match(await readFile(join(out, 'junit.xml'), 'utf8'), /<testcase classname="http_req_duration\{name:company\}" name="p\(99\)&lt;1" time="0">\n\s+<failure message="observed /);
});

test('a .ts thresholds module is loaded, and alerts fail the run only with --fail-on-alerts', async () => {
  const file = join(dir, 'lenient.ts');
  await writeFile(file, "export default { http_reqs: ['count>0'], 'http_req_duration{phase:ramp-up}': ['p(50)<1000'] };\n");
  const lenient = await inProcess(['check', join(dir, 'fail'), '--thresholds', file]);
  assert.equal(lenient.code, 0, lenient.stdout + lenient.stderr);
  assert.match(lenient.stdout, /would have fired/);
  const strict = await inProcess(['check', join(dir, 'fail'), '--thresholds', file, '--fail-on-alerts']);
  assert.equal(strict.code, 99);
  assert.match(strict.stdout, /alert rule\(s\) would have fired \(--fail-on-alerts\)/);
});

test('a bad --thresholds file (through the real binary) exits 104 naming the key and expression, and leaves the outputs untouched', async () => {
  const run = join(dir, 'pass');
  const before = await readFile(join(run, 'verdict.json'), 'utf8');
  const file = join(dir, 'bad.ts');
  await writeFile(file, "export default { http_req_duration: ['p(95)=<200'], 'cache_hit_ratio{phase:steady': ['value>0.8'] };\n");
  const { code, stderr } = await perfgate(['check', run, '--thresholds', file]);
  assert.equal(code, 104);
  assert.match(stderr, /thresholds\["http_req_duration"\]\[0\]: bad operator "=<" in "p\(95\)=<200"/);
  assert.match(stderr, /thresholds\["cache_hit_ratio\{phase:steady"\]\[0\]: unbalanced braces in key/);
  assert.equal(await readFile(join(run, 'verdict.json'), 'utf8'), before);
  const missing = await inProcess(['check', run, '--thresholds', join(dir, 'none.json')]);
  assert.equal(missing.code, 104);
  assert.match(missing.stderr, /--thresholds: cannot read/);
  const notRun = await inProcess(['check', join(dir, 'no-such-run')]);
  assert.equal(notRun.code, 104);
  assert.match(notRun.stderr, /is not a run directory/);
});

test('with markdown: false, summary.md waits for writeMarkdownSummary, which links the charts written meanwhile', async () => {
  const run = join(dir, 'fail');
  await rm(join(run, 'summary.md'), { force: true });
  const stepSummary = join(dir, 'step-summary-2.md');
  const { verdict } = await checkRunDir(run, { markdown: false, env: { GITHUB_STEP_SUMMARY: stepSummary } });
  assert.equal(verdict.status, 'fail');
  await assert.rejects(readFile(join(run, 'summary.md'), 'utf8'), /ENOENT/);
  await assert.rejects(readFile(stepSummary, 'utf8'), /ENOENT/);
  await mkdir(join(run, 'charts'), { recursive: true });
  await writeFile(join(run, 'charts', 'latency.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const md = await writeMarkdownSummary(run, { env: { GITHUB_STEP_SUMMARY: stepSummary } });
  assert.match(md, /Charts: \[latency\]\(charts\/latency\.svg\)/);
  assert.equal(await readFile(join(run, 'summary.md'), 'utf8'), md);
  assert.equal(await readFile(stepSummary, 'utf8'), `${md}\n`);
});

test('a what-if check (the real binary) leaves the run as it was and writes to a check-<time>/ folder or --out', async () => {
  const run = join(dir, 'fail');
  const files = ['verdict.json', 'summary.json', 'junit.xml', 'summary.md'];
  await checkRunDir(run); // the run's own outputs, as a run leaves them
  const before = await Promise.all(files.map((f) => readFile(join(run, f), 'utf8')));
  const file = join(dir, 'lenient.json');
  await writeFile(file, JSON.stringify({ http_reqs: ['count>0'] }));
  const whatIf = await perfgate(['check', run, '--thresholds', file]);
  assert.equal(whatIf.code, 0, whatIf.stdout + whatIf.stderr);
  const outLine = /outputs: (.+check-\d{8}-\d{6}(-\d+)?)$/m.exec(whatIf.stdout);
  assert.ok(outLine, whatIf.stdout);
  assert.deepEqual(await Promise.all(files.map((f) => readFile(join(run, f), 'utf8'))), before, "the run's own files are untouched");
  const written = JSON.parse(await readFile(join(outLine[1], 'verdict.json'), 'utf8'));
  assert.equal(written.status, 'pass');
  assert.deepEqual(JSON.parse(await readFile(join(outLine[1], 'thresholds.json'), 'utf8')).thresholds, { http_reqs: ['count>0'] });
  assert.match(await readFile(join(outLine[1], 'summary.md'), 'utf8'), /## perfgate ✅ PASS/);
  // Plain check on a run that has its verdict re-judges it without overwriting it either.
  const plain = await perfgate(['check', run, '--out', join(dir, 'plain-check')]);
  assert.equal(plain.code, 99);
  assert.equal(JSON.parse(await readFile(join(dir, 'plain-check', 'verdict.json'), 'utf8')).status, 'fail');
  assert.deepEqual(await Promise.all(files.map((f) => readFile(join(run, f), 'utf8'))), before);
  const self = await perfgate(['check', run, '--thresholds', file, '--out', run]);
  assert.equal(self.code, 104);
  assert.match(self.stderr, /--out: is the run directory itself/);
  const other = await perfgate(['check', run, '--out', join(dir, 'pass')]);
  assert.equal(other.code, 104);
  assert.match(other.stderr, /--out: .* is a run directory/);
  assert.deepEqual(await Promise.all(files.map((f) => readFile(join(run, f), 'utf8'))), before);
});

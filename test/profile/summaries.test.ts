import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeCpuProfile, summarizeFlameSamples, parseFlameFrame } from '../../src/profile/cpu-summary.ts';
import { summarizeHeapProfile } from '../../src/profile/heap-summary.ts';
import { diagnosisFrom, plainLines } from '../../src/profile/doctor-summary.ts';
import { parseProfiler, unavailableReason } from '../../src/profile/tools.ts';
import { profiledCommand } from '../../src/profile/launch.ts';
import { offlineClinicHtml, CLINIC_FONTS_URL } from '../../src/profile/collect.ts';
import { profileSectionHtml, profileSectionMarkdown } from '../../src/report/profile-section.ts';
import type { ProfileSummary } from '../../src/profile/types.ts';
import { ConfigError } from '../../src/errors.ts';

const js = (name: string) => ({ name, type: 'JS' });

test('flame samples: each sample counts for its innermost JavaScript frame; native frames go to their JS caller', () => {
  const samples = [
    [js('main /app/server.js:1:1'), js('hot /app/server.js:10:3')],
    [js('main /app/server.js:1:1'), js('hot /app/server.js:10:3'), { name: 'sqrt', type: 'CPP' }],
    [js('main /app/server.js:1:1'), js('warm file:///app/lib%20x.js:20:1')],
    [{ name: 'epoll_pwait', type: 'CPP' }],
  ];
  const { functions, total } = summarizeFlameSamples(samples);
  assert.equal(total, 4);
  assert.deepEqual(functions.map((f) => [f.name, f.location, f.samples, f.share]), [
    ['hot', '/app/server.js:10', 2, 0.5],
    ['warm', '/app/lib x.js:20', 1, 0.25],
  ]);
  assert.deepEqual(parseFlameFrame(' node:internal/main/run_main_module:1:1'), { name: '', location: 'node:internal/main/run_main_module:1' });
});

test('a .cpuprofile: self samples per function (1-based lines), scriptless nodes only in the total', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 3, callFrame: { functionName: 'cpuHotspot', url: 'file:///srv/hotspot.ts', lineNumber: 6 } },
      { id: 4, callFrame: { functionName: 'handler', url: 'file:///srv/app.ts', lineNumber: 41 } },
    ],
    samples: [3, 3, 3, 4, 2, 2, 3, 1],
  };
  const { functions, total } = summarizeCpuProfile(profile, 1);
  assert.equal(total, 8);
  assert.deepEqual(functions, [{ name: 'cpuHotspot', location: '/srv/hotspot.ts:7', samples: 4, share: 0.5 }]);
});

test('a sampling heap profile: bytes per allocation site, summed over the tree, most first', () => {
  const site = (functionName: string, lineNumber: number, selfSize: number, children: unknown[] = []) => ({ callFrame: { functionName, url: 'file:///srv/s.js', lineNumber }, selfSize, children });
  const profile = { head: site('(root)', -1, 0, [site('allocateRows', 4, 3000, [site('allocateRows', 4, 1000)]), site('parse', 9, 1000)]) };
  const { sites, total } = summarizeHeapProfile(profile);
  assert.equal(total, 5000);
  assert.deepEqual(sites.map((s) => [s.name, s.location, s.bytes, s.share]), [
    ['allocateRows', '/srv/s.js:5', 4000, 0.8],
    ['parse', '/srv/s.js:10', 1000, 0.2],
  ]);
  assert.throws(() => summarizeHeapProfile({}), /no head/);
});

test("doctor's analysis in plain words: the category's title, its recommendation without markup, each check", () => {
  const d = diagnosisFrom(
    { issueCategory: 'event-loop', issues: { delay: 'performance', cpu: 'performance', memory: { rss: 'none', heapUsed: 'none' }, handles: 'none', loopUtilization: 'performance' } },
    "- There may be one or more long running synchronous operations\n- Diagnose: Use `clinic flame` – run <code class='snippet'>clinic flame -h</code>\n",
  );
  assert.equal(d.category, 'event-loop');
  assert.match(d.title, /event-loop issue/);
  assert.deepEqual(d.recommendation, ['There may be one or more long running synchronous operations', 'Diagnose: Use clinic flame – run clinic flame -h']);
  assert.deepEqual(d.checks.find((c) => c.name === 'event-loop delay'), { name: 'event-loop delay', result: 'performance' });
  assert.deepEqual(d.checks.find((c) => c.name === 'memory'), { name: 'memory', result: 'none' });
  assert.deepEqual(plainLines('* Everything looks good!'), ['Everything looks good!']);
});

test('tools: an unknown tool, bubbleprof on Node 20 and --node-profiler for doctor are ConfigErrors naming the field', () => {
  assert.deepEqual(parseProfiler('flame', { field: '--clinic' }), { tool: 'flame', method: 'clinic' });
  assert.deepEqual(parseProfiler('heapprofiler', { field: '--clinic', nodeProfiler: true }), { tool: 'heapprofiler', method: 'node' });
  const fails = (fn: () => unknown, path: string, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.path === path && re.test(i.message)));
  fails(() => parseProfiler('perf', { field: '--clinic' }), '--clinic', /doctor, flame, bubbleprof, heapprofiler/);
  fails(() => parseProfiler('bubbleprof', { field: '--clinic', nodeMajor: 20 }), '--clinic', /async_hooks trace events/);
  fails(() => parseProfiler('doctor', { field: '--clinic', nodeProfiler: true }), '--node-profiler', /no own profiler/);
  assert.equal(unavailableReason('bubbleprof', 18), undefined);
  // Clinic.js is an optional peer of the package: without it, a Clinic tool says how to install it, and Node's own
  // profiler still works.
  fails(() => parseProfiler('flame', { field: '--clinic', clinicInstalled: false }), '--clinic', /npm install --save-dev clinic@13.*--node-profiler/);
  assert.deepEqual(parseProfiler('flame', { field: '--clinic', nodeProfiler: true, clinicInstalled: false }), { tool: 'flame', method: 'node' });
});

test('the profiled command: clinic with NO_INSIGHT=1, or node with --cpu-prof-dir, or NODE_OPTIONS for a wrapper', () => {
  const c = profiledCommand({ tool: 'doctor', method: 'clinic' }, '/stage', ['node', 'server.js']);
  assert.equal(c.command, process.execPath);
  assert.deepEqual(c.args.slice(1), ['doctor', '--dest', '/stage', '--open=false', '--', 'node', 'server.js']);
  assert.deepEqual(c.env, { NO_INSIGHT: '1' });
  assert.deepEqual(profiledCommand({ tool: 'flame', method: 'node' }, '/stage', ['node', 'server.js']).args, ['--cpu-prof', '--cpu-prof-dir=/stage', 'server.js']);
  const npm = profiledCommand({ tool: 'heapprofiler', method: 'node' }, '/st age', ['npm', 'start']);
  assert.deepEqual([npm.command, npm.args], ['npm', ['start']]);
  assert.match(npm.env.NODE_OPTIONS!, /--heap-prof --heap-prof-dir="\/st age"$/);
});

test("Clinic's page works offline: its web-font stylesheet becomes an empty inline one", () => {
  const html = `<script>const styleSheetUrl = '${CLINIC_FONTS_URL}'; x={urls:["${CLINIC_FONTS_URL}"]}</script>`;
  assert.equal(offlineClinicHtml(html).includes('clinicjs.org'), false);
  assert.match(offlineClinicHtml(html), /data:text\/css,/);
});

test('the Profile section escapes every string from the profile, and links the profile page', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const summary: ProfileSummary = {
    tool: 'flame',
    method: 'clinic',
    html: 'profile/1.clinic-flame.html',
    data: ['profile/1.clinic-flame'],
    hotFunctions: [{ name: evil, location: `/srv/${evil}.js:3`, samples: 7, share: 0.7 }],
    total: 10,
  };
  const html = profileSectionHtml(summary);
  assert.equal(html.includes('<img'), false);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /<a href="profile\/1\.clinic-flame\.html" data-profile-link>/);
  assert.match(html, /data-profiled="true"/);
  assert.match(html, /70\.0%|70%/);
  const md = profileSectionMarkdown(summary).join('\n');
  assert.equal(/<img/.test(md.replace(/`[^`]*`/g, '')), false, 'no raw HTML outside code spans');
  assert.match(md, /\| 1 \| `/);
  assert.equal(profileSectionHtml(undefined), '');
  const failed = profileSectionHtml({ tool: 'heapprofiler', method: 'clinic', data: [], error: `wrote ${evil}` });
  assert.match(failed, /data-profile-error/);
  assert.equal(failed.includes('<img'), false);
});

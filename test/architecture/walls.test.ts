import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  via?: Array<{ name: string }>;
  cycle?: Array<{ name: string }>;
}

test('the walls of DESIGN hold: no import crosses them (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const out = execFileSync(process.execPath, [bin, 'src', 'bin', 'scenarios', '--config', '.dependency-cruiser.cjs', '--output-type', 'json', '--cache', join('node_modules', '.cache', 'dependency-cruiser')], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const violations = (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
  const lines = violations.map((v) => {
    const path = (v.via ?? v.cycle ?? []).map((m) => m.name).join(' → ');
    return `${v.rule.name}: ${v.from} imports ${v.to}${path ? ` (via ${path})` : ''}`;
  });
  assert.equal(violations.length, 0, `walls crossed (see the rule's comment in .dependency-cruiser.cjs):\n${lines.join('\n')}`);
});

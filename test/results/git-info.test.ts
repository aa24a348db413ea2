// run.json's git commit and branch: from the repository, and from the CI environment on a detached checkout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitInfo } from '../../src/results/git-info.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();

test('gitInfo gives the commit and branch, and on a detached HEAD the branch CI names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-git-'));
  try {
    git(dir, 'init', '-q', '-b', 'main');
    await writeFile(join(dir, 'f'), 'x');
    git(dir, 'add', 'f');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'x');
    const sha = git(dir, 'rev-parse', 'HEAD');
    assert.deepEqual(gitInfo(dir, {}), { gitSha: sha, gitBranch: 'main' });
    git(dir, 'checkout', '-q', '--detach');
    assert.deepEqual(gitInfo(dir, {}), { gitSha: sha });
    assert.deepEqual(gitInfo(dir, { GITHUB_HEAD_REF: '', GITHUB_REF_NAME: 'feature/x' }), { gitSha: sha, gitBranch: 'feature/x' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const outside = await mkdtemp(join(tmpdir(), 'perfgate-nogit-'));
  try {
    assert.deepEqual(gitInfo(outside, {}), {});
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

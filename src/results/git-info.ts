// The git commit and branch a run was made from, for run.json: baselines in CI are matched by them.

import { execFileSync } from 'node:child_process';

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The HEAD commit and branch of cwd's repository; a detached HEAD (CI checkouts) takes the branch from GITHUB_HEAD_REF or GITHUB_REF_NAME. */
export function gitInfo(cwd: string, env: Record<string, string | undefined> = process.env): { gitSha?: string; gitBranch?: string } {
  const gitSha = git(['rev-parse', 'HEAD'], cwd);
  const head = git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd);
  const gitBranch = head && head !== 'HEAD' ? head : env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || undefined;
  return { ...(gitSha ? { gitSha } : {}), ...(gitBranch ? { gitBranch } : {}) };
}

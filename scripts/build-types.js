#!/usr/bin/env node
// Builds the published declaration files (dist/types) from the source with tsc, on `npm pack` and `npm publish`
// (prepack). The source imports its siblings as `./x.ts`; the declarations import `./x.js`, which every
// moduleResolution (node16, nodenext, bundler) resolves to the sibling `.d.ts`.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'types');
rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (result.status !== 0) process.exit(result.status ?? 1);

/** Rewrites relative `.ts` specifiers (from '...', import('...')) of a declaration file to `.js`. */
export function rewriteSpecifiers(text) {
  return text.replace(/((?:from|import\()\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
}

for (const entry of readdirSync(out, { recursive: true })) {
  if (!entry.endsWith('.d.ts')) continue;
  const file = join(out, entry);
  writeFileSync(file, rewriteSpecifiers(readFileSync(file, 'utf8')));
}

#!/usr/bin/env node
// Lists the functions of src/ longer than a limit (default 60 lines), longest first: `node scripts/function-lengths.js [limit]`.
// Counts the lines of each function's body, nested functions included in their parent's count and listed on their own.
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const limit = Number(process.argv[2] ?? 60);

/** Every .ts file under dir. */
function files(dir) {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const rows = [];
for (const file of files(join(root, 'src'))) {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const end = src.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name?.getText(src) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(src) : '(anonymous)');
      if (end - start + 1 > limit) rows.push([end - start + 1, `${relative(root, file)}:${start + 1}`, name]);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
rows.sort((a, b) => b[0] - a[0]);
for (const [n, where, name] of rows) console.log(`${String(n).padStart(4)}  ${where}  ${name}`);
console.log(`${rows.length} function(s) over ${limit} lines`);

#!/usr/bin/env node
// Writes the expectations of e2e/matrix/paths.ts into docs/async-context.md, between its table
// markers. `node e2e/matrix/render-table.mjs --check` only compares, and fails when the doc is
// stale (doc-table.spec.ts runs the same comparison in the matrix suite).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const pathsFile = fileURLToPath(new URL('./paths.ts', import.meta.url));
const docFile = fileURLToPath(new URL('../../docs/async-context.md', import.meta.url));

// paths.ts has no imports, so its transpiled text runs on its own.
const { outputText } = ts.transpileModule(readFileSync(pathsFile, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
});
const paths = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);

const doc = readFileSync(docFile, 'utf8');
const start = doc.indexOf(paths.TABLE_START);
const end = doc.indexOf(paths.TABLE_END);
if (start === -1 || end < start) {
  process.stderr.write(`${docFile}: table markers not found\n`);
  process.exit(1);
}
const updated = `${doc.slice(0, start + paths.TABLE_START.length)}\n${paths.renderTable()}\n${doc.slice(end)}`;
if (process.argv.includes('--check')) {
  if (updated !== doc) {
    process.stderr.write('docs/async-context.md is stale: run node e2e/matrix/render-table.mjs\n');
    process.exit(1);
  }
} else if (updated !== doc) {
  writeFileSync(docFile, updated);
  process.stdout.write('docs/async-context.md: table updated\n');
}

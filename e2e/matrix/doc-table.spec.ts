import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { renderTable, TABLE_END, TABLE_START } from './paths.js';

// The published table is the suite's expectations, not a copy that can drift from them.
test('docs/async-context.md publishes the expectations of e2e/matrix/paths.ts', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/async-context.md', import.meta.url)), 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  expect(start, 'the table markers are in the doc').toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const published = doc.slice(start + TABLE_START.length, end).trim();
  expect(published, 'stale table: run `node e2e/matrix/render-table.mjs`').toBe(renderTable());
});

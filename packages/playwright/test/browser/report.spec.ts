import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { decodeOtlpJson } from '@clicktrace/collector';
import { expect, test } from '@playwright/test';

// Runs ../failing-run, a Playwright run whose one test fails in waitForTrace, and reads its JSON
// report: the failure must point at the test's own line (waitForTrace is a boxed step) and the
// report must carry the test's trace as the viewer's waterfall and as OTLP JSON.
const runDir = fileURLToPath(new URL('../failing-run/', import.meta.url));
const spec = `${runDir}broken-order.failing.ts`;
const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');

interface Attachment {
  name: string;
  contentType: string;
  path?: string;
}
interface Report {
  suites: {
    specs: {
      tests: {
        results: {
          status: string;
          errors: { message?: string; location?: { file: string; line: number } }[];
          attachments: Attachment[];
        }[];
      }[];
    }[];
  }[];
}

test('a failed test points at its own line and carries its trace in the report', async () => {
  test.setTimeout(120_000);
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('CLICKTRACE_')) delete env[key]; // a run of its own
  const run = spawnSync(process.execPath, [cli, 'test', '-c', runDir], {
    cwd: runDir,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.status, run.stderr).toBe(1);
  const report = JSON.parse(run.stdout) as Report;
  const result = report.suites[0]?.specs[0]?.tests[0]?.results[0];
  expect(result?.status).toBe('failed');

  const error = result?.errors[0];
  const waitLine =
    readFileSync(spec, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes('// WAIT-LINE')) + 1;
  expect(error?.location).toEqual(expect.objectContaining({ file: spec, line: waitLine }));
  expect(error?.message).toContain(
    'server-not-traced: POST http://127.0.0.1:3001/api/order carried traceparent and was answered, but no span of ' +
      'http://127.0.0.1:3001 arrived. Fix: trace http://127.0.0.1:3001: start it with node --import @clicktrace/node/register',
  );

  const html = result?.attachments.find((a) => a.name === 'clicktrace traces.html');
  expect(html?.contentType).toBe('text/html');
  const page = readFileSync(html?.path ?? '', 'utf8');
  expect(page).toContain('click button \\"Order\\"'); // the spans, embedded as JSON in the page
  expect(page).not.toMatch(/<script[^>]+src=/);

  const otlp = result?.attachments.find((a) => a.name === 'clicktrace traces.otlp.json');
  expect(otlp?.contentType).toBe('application/json');
  const exported = JSON.parse(readFileSync(otlp?.path ?? '', 'utf8'));
  expect(
    decodeOtlpJson(exported)
      .map((span) => span.name)
      .sort(),
  ).toEqual(['POST', 'click button "Order"']);
});

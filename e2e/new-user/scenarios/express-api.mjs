// A fresh Express API traced with `node --import @clicktrace/node/register`, and a minimal Vite
// page with @clicktrace/web in front of it: the new user's first project. Besides the trace by
// ids, three checks of @clicktrace/playwright itself:
//   a. the README quick-start test, as written                -> must pass
//   b. the API origin dropped from propagateTo               -> must fail, naming the break
//   c. two tests in parallel (2 workers, one collector)       -> each sees only its own traces
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { passed, playwrightTest } from '../lib/playwright.mjs';
import { clickTraceSpec, expressServer, packageJson, playwrightConfig, vanillaPage } from './templates.mjs';

export default {
  name: 'express-api',
  title: 'fresh Express API (register) + Vite page',

  // `npm create vite` (vanilla) plus Express, as the project's package.json lists them.
  files: ({ chromium, version }) => ({
    'package.json': packageJson('shop', {
      dependencies: { express: version('express') },
      devDependencies: { vite: version('vite') },
    }),
    ...vanillaPage({ breakable: true }),
    'server.js': expressServer,
    'playwright.config.js': playwrightConfig({
      chromium,
      apiCommand: `'node --import @clicktrace/node/register server.js'`,
    }),
    'tests/click-trace.spec.js': clickTraceSpec(),
    'tests/order.spec.js': ORDER_SPEC,
    'tests/parallel.spec.js': PARALLEL_SPEC,
  }),

  // The project's own Vite and Express, then clicktrace as DESIGN.md's "who uses it" table says
  // (`npm install @clicktrace/web`, `npm install @clicktrace/node`, without the api peer: npm
  // installs it), then the test tools.
  installs: ({ tarballs, pinned }) => [
    [],
    [tarballs.web, tarballs.node],
    ['-D', tarballs.playwright, tarballs.collector, pinned('@playwright/test')],
  ],

  steps: [
    {
      name: 'a. the README test as written, and the trace by ids: must pass',
      run: async (project) =>
        passed(await playwrightTest(project, ['tests/order.spec.js', 'tests/click-trace.spec.js']), 2),
    },
    { name: 'b. API origin dropped from propagateTo: must fail, naming the break', run: brokenPropagation },
    { name: 'c. two tests in parallel (2 workers): each sees only its own traces', run: parallelTests },
  ],
};

async function brokenPropagation(project) {
  // The API's port is chosen here, so the expected origin is known before the run.
  const apiPort = await freePort();
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const env = { VITE_PROPAGATE_TO: 'none', API_PORT: String(apiPort) };
  const { code, output } = await playwrightTest(project, ['tests/order.spec.js'], env);
  // The collector's diagnosis, as the failure lists it: `- not-injected: … Fix: add <origin> to propagateTo.`
  const breakLine = output.split('\n').find((line) => line.includes('not-injected:'));
  const named = breakLine !== undefined;
  const origin = breakLine?.includes(`Fix: add ${apiOrigin} to propagateTo.`) ?? false;
  if (code !== 0 && named && origin) return { ok: true, note: `failed as it must: ${breakLine.trim()}` };

  const why =
    code === 0
      ? 'the test PASSED although the API got no traceparent'
      : `it failed (exit ${code}) but ${named ? `without the fix for ${apiOrigin}` : 'without naming not-injected'}`;
  // Tell a matcher gap from a missing explanation: the same test, asking for the SERVER span by kind.
  writeFileSync(join(project.dir, DIAGNOSTIC_SPEC[0]), DIAGNOSTIC_SPEC[1]);
  const diagnostic = await playwrightTest(project, [DIAGNOSTIC_SPEC[0]], env);
  const diagnosticNamed =
    diagnostic.output.includes('not-injected:') &&
    diagnostic.output.includes(`add ${apiOrigin} to propagateTo`);
  const outcome =
    diagnostic.code === 0
      ? 'passes too'
      : diagnosticNamed
        ? 'fails naming the break'
        : 'fails without naming it';
  return {
    ok: false,
    note: `${why}; with through: [{ name: 'POST /api/order', kind: 'SERVER' }] it ${outcome}`,
  };
}

async function parallelTests(project) {
  const barrier = join(project.dir, 'barrier');
  mkdirSync(barrier, { recursive: true });
  const { code, output } = await playwrightTest(project, ['tests/parallel.spec.js'], {
    BARRIER_DIR: barrier,
  });
  const workers = /Running 2 tests using 2 workers/.test(output);
  const result = passed({ code, output }, 2);
  if (!result.ok) return result;
  return workers
    ? { ok: true, note: '2 passed, 2 workers' }
    : { ok: false, note: 'passed, but not on 2 workers' };
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

// packages/playwright/README.md, quick start, with this app's button and route.
const ORDER_SPEC = `import { expect, test } from '@clicktrace/playwright';

test('an order is one trace, from the click to the API', async ({ page, traces }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Order' }).click();
  await expect(page.getByRole('status')).toHaveText('ordered tea #1');

  const trace = await traces.waitForTrace({ root: /click/, through: ['POST /api/order'] });
  expect(trace).toBeConnected();
});
`;

// Two tests at once (fullyParallel, 2 workers, one collector): each orders its own item three
// times and asserts that traces.all() ("every trace the test caused so far", README) holds its
// three orders and nothing of the other test's. The two meet at a barrier (files in BARRIER_DIR)
// before the final look, so the other test's traces have surely arrived by then.
const PARALLEL_SPEC = `import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@clicktrace/playwright';

const ITEMS = ['tea', 'mug'];
const ORDERS = 3;
const barrier = process.env.BARRIER_DIR;

for (const item of ITEMS) {
  test(\`ordering \${item} sees only its own traces\`, async ({ page, traces }) => {
    const other = ITEMS.find((name) => name !== item);
    await page.goto('/');
    await page.getByLabel('Item').fill(item);
    for (let n = 1; n <= ORDERS; n++) {
      await page.getByRole('button', { name: 'Order' }).click();
      await expect(page.getByRole('status')).toHaveText(\`ordered \${item} #\${n}\`);
    }

    // traces.all() waits until the traces it returns name no missing parent, but the API's span
    // of the last order may still be in the API's batch: wait until all three reached it. The
    // polls have no limit of their own (timeout 0): only the test's timeout bounds them.
    const complete = async () =>
      (await traces.all()).filter(
        (trace) => trace.root && trace.orphans.length === 0 && trace.find({ name: 'POST /api/order', kind: 'SERVER' }),
      ).length;
    await expect.poll(complete, { timeout: 0 }).toBeGreaterThanOrEqual(ORDERS);

    if (barrier) {
      writeFileSync(join(barrier, \`\${item}.done\`), '');
      await expect.poll(() => existsSync(join(barrier, \`\${other}.done\`)), { timeout: 0 }).toBe(true);
    }

    const all = await traces.all();
    const drawn = all.map((trace) => trace.toString()).join('\\n');
    expect(all, \`traces.all() of the \${item} test:\\n\${drawn}\`).toHaveLength(ORDERS);
    for (const trace of all) {
      expect(trace).toBeConnected();
      const server = trace.find({ name: 'POST /api/order', kind: 'SERVER' });
      expect(server?.attributes['url.query'], \`server span of trace \${trace.traceId}\`).toBe(\`item=\${item}\`);
      expect(trace.find({ attributes: { 'url.query': \`item=\${other}\` } })).toBeUndefined();
    }
  });
}
`;

// Only run when (b) does not fail as it must: the same test, asking for the API's SERVER span by
// kind (README, "Matching spans"), to tell a matcher gap from a missing explanation.
const DIAGNOSTIC_SPEC = [
  'tests/order-server-kind.spec.js',
  `import { expect, test } from '@clicktrace/playwright';

test('an order reaches the API span (asked by kind)', async ({ page, traces }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Order' }).click();
  await expect(page.getByRole('status')).toHaveText('ordered tea #1');

  const trace = await traces.waitForTrace({ root: /click/, through: [{ name: 'POST /api/order', kind: 'SERVER' }] });
  expect(trace).toBeConnected();
});
`,
];

#!/usr/bin/env node
// clicktrace, tried as a new user would: the four packages packed with pnpm (as they would be
// published), installed with npm into a fresh Vite app + Express API, and a Playwright suite
// written from the packages' READMEs, run three ways:
//   a. as written                              -> must pass
//   b. the API origin dropped from propagateTo -> must fail, naming the break ("in propagateTo?")
//   c. two tests in parallel (2 workers)       -> must pass, each seeing only its own traces
// Plain Node, no dependencies. `node e2e/new-user/run.mjs`; KEEP=1 keeps the temp project,
// SKIP_BUILD=1 skips `pnpm run build`, REPO=<dir> packs another checkout of this repository.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO = resolve(process.env.REPO ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
// The pnpm the workspace pins, and the Chromium every test here launches: the generated project
// imports nothing from the repository, so their values are written into it.
const PNPM = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).packageManager;
const PACKAGES = ['collector', 'web', 'node', 'playwright'];
// From the registry, at the versions the workspace's catalog pins.
const CATALOG = readFileSync(join(REPO, 'pnpm-workspace.yaml'), 'utf8');
const REGISTRY_DEPS = ['vite', 'express', '@playwright/test'].map((name) => {
  const version = new RegExp(`^  '?${name}'?: (\\S+)$`, 'm').exec(CATALOG)?.[1];
  if (!version) throw new Error(`${name} is not in pnpm-workspace.yaml's catalog`);
  return `${name}@${version}`;
});
const KEEP = process.env.KEEP === '1';
const { chromiumLaunchOptions: CHROMIUM } = await import(
  pathToFileURL(join(REPO, 'scripts', 'chromium.mjs')).href
);

const started = Date.now();
const phases = []; // { name, seconds, ok, note }
const children = new Set();
let root;

const log = (line) => process.stdout.write(`[new-user] ${line}\n`);
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

/** Runs a command, streaming its output (indented) and collecting it. Never rejects. */
function run(command, args, { cwd, env = {}, timeoutMs = 300_000, quiet = false } = {}) {
  return new Promise((done) => {
    log(`$ ${[command, ...args].join(' ')}   (in ${cwd})`);
    // Its own process group, so a timeout or Ctrl-C can end it with everything it started.
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    let output = '';
    const take = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (!quiet) process.stdout.write(text.replace(/^(?=.)/gm, '    '));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      output += `\n[new-user] timed out after ${timeoutMs / 1000} s: killed\n`;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      output += `\n${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      done({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

function cleanUp() {
  for (const child of children) killGroup(child);
  if (root === undefined) return;
  if (KEEP) log(`KEEP=1: the project stays in ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    cleanUp();
    process.exit(130);
  });
}

async function phase(name, body) {
  log(`==> ${name}`);
  const since = Date.now();
  let result;
  try {
    result = await body();
  } catch (error) {
    result = { ok: false, note: error instanceof Error ? error.message : String(error) };
  }
  const entry = { name, seconds: seconds(since), ok: result.ok, note: result.note ?? '' };
  phases.push(entry);
  log(
    `<== ${name}: ${entry.ok ? 'ok' : 'FAILED'} in ${entry.seconds} s${entry.note ? ` (${entry.note})` : ''}`,
  );
  return result;
}

/** The files of a .tgz, by path: a small ustar reader, enough for npm/pnpm tarballs. */
function readTarball(file) {
  const bytes = gunzipSync(readFileSync(file));
  const files = new Map();
  for (let at = 0; at + 512 <= bytes.length; ) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (from, to) => header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
    const prefix = text(345, 500);
    const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    const size = Number.parseInt(text(124, 136).trim() || '0', 8);
    files.set(name, bytes.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function freePortNow() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The new user's project. Every file below is written from the packages' READMEs only.

const files = {
  // `npm create vite` (vanilla), trimmed.
  'package.json': `${JSON.stringify(
    {
      name: 'new-user-shop',
      private: true,
      version: '0.0.0',
      type: 'module',
      scripts: { dev: 'vite', build: 'vite build', preview: 'vite preview', test: 'playwright test' },
    },
    null,
    2,
  )}\n`,

  'index.html': `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>new-user-shop</title>
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="/src/main.js"></script>
  </body>
</html>
`,

  // packages/web/README.md, quick start: import it first, startTracing({ serviceName, endpoint, propagateTo }).
  'src/main.js': `import { startTracing } from '@clicktrace/web';

const API_URL = import.meta.env.VITE_API_URL ?? 'http://127.0.0.1:3001';

startTracing({
  serviceName: 'shop-web',
  endpoint: 'http://127.0.0.1:4318/v1/traces', // OTLP/HTTP traces URL
  // Origins that get traceparent. (The harness sets VITE_PROPAGATE_TO=none to break the chain.)
  propagateTo: import.meta.env.VITE_PROPAGATE_TO === 'none' ? [] : [API_URL],
});

document.querySelector('#app').innerHTML = \`
  <h1>Shop</h1>
  <label>Item <input id="item" value="tea" /></label>
  <button id="order" type="button">Order</button>
  <p id="result" role="status"></p>
\`;

let orders = 0;
const result = document.querySelector('#result');
document.querySelector('#order').addEventListener('click', async () => {
  const item = document.querySelector('#item').value;
  result.textContent = 'ordering...';
  try {
    const response = await fetch(\`\${API_URL}/api/order?item=\${encodeURIComponent(item)}\`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item }),
    });
    const order = await response.json();
    orders += 1;
    result.textContent = \`ordered \${order.item} #\${orders}\`;
  } catch (error) {
    result.textContent = \`failed: \${error}\`;
  }
});
`,

  // packages/web/README.md, "Vite plugin".
  'vite.config.js': `import { clicktrace } from '@clicktrace/web/vite';

export default { plugins: [clicktrace()] };
`,

  // packages/node/README.md: zero code (node --import @clicktrace/node/register), and
  // "CORS for browsers", Express: app.use(corsMiddleware({ origins })) before the routes.
  'server.js': `import { corsMiddleware } from '@clicktrace/node/cors';
import express from 'express';

const app = express();
app.use(corsMiddleware({ origins: [process.env.WEB_ORIGIN ?? 'http://127.0.0.1:5173'] }));
app.use(express.json());

app.get('/health', (_request, response) => {
  response.send('ok');
});

app.post('/api/order', (request, response) => {
  const item = request.body?.item ?? request.query.item ?? 'nothing';
  response.json({ ok: true, item });
});

const port = Number(process.env.PORT ?? 3001);
app.listen(port, '127.0.0.1', () => {
  console.log(\`shop-api on http://127.0.0.1:\${port}\`);
});
`,

  // packages/playwright/README.md, quick start: defineConfig, freePort, webServer with name/env.
  'playwright.config.js': `import { defineConfig, freePort } from '@clicktrace/playwright';

const apiPort = freePort('API_PORT'); // one free port, the same in the runner and every worker
const webPort = freePort('WEB_PORT');
const apiUrl = \`http://127.0.0.1:\${apiPort}\`;
const webUrl = \`http://127.0.0.1:\${webPort}\`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  use: {
    baseURL: webUrl,
    launchOptions: ${JSON.stringify(CHROMIUM, null, 2).replace(/\n/g, '\n    ')},
  },
  webServer: [
    {
      name: 'shop-api', // becomes its OTEL_SERVICE_NAME
      command: 'node --import @clicktrace/node/register server.js',
      url: \`\${apiUrl}/health\`,
      env: { PORT: String(apiPort), WEB_ORIGIN: webUrl },
    },
    {
      name: 'shop-web',
      command: \`npx vite --host 127.0.0.1 --strictPort --port \${webPort}\`,
      url: \`\${webUrl}/\`,
      env: { VITE_API_URL: apiUrl },
    },
  ],
});
`,

  // packages/playwright/README.md, quick start, with this app's button and route.
  'tests/order.spec.js': `import { expect, test } from '@clicktrace/playwright';

test('an order is one trace, from the click to the API', async ({ page, traces }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Order' }).click();
  await expect(page.getByRole('status')).toHaveText('ordered tea #1');

  const trace = await traces.waitForTrace({ root: /click/, through: ['POST /api/order'] });
  expect(trace).toBeConnected();
});
`,

  // Two tests at once (fullyParallel, 2 workers, one collector): each orders its own item three
  // times and asserts that traces.all() ("every trace the test caused so far", README) holds its
  // three orders and nothing of the other test's. The two meet at a barrier (files in
  // BARRIER_DIR) before the final look, so the other test's traces have surely arrived by then.
  'tests/parallel.spec.js': `import { existsSync, writeFileSync } from 'node:fs';
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
    // of the last order may still be in the API's batch: wait until all three reached it.
    const complete = async () =>
      (await traces.all()).filter(
        (trace) => trace.root && trace.orphans.length === 0 && trace.find({ name: 'POST /api/order', kind: 'SERVER' }),
      ).length;
    await expect.poll(complete, { timeout: 10_000 }).toBeGreaterThanOrEqual(ORDERS);

    if (barrier) {
      writeFileSync(join(barrier, \`\${item}.done\`), '');
      await expect.poll(() => existsSync(join(barrier, \`\${other}.done\`)), { timeout: 30_000 }).toBe(true);
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
`,
};

// Only run when (b) does not fail as it must: the same test, asking for the API's SERVER span
// by kind (README, "Matching spans"), to tell a matcher gap from a missing explanation.
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

// ---------------------------------------------------------------------------------------------

async function main() {
  log(`repository: ${REPO}`);
  root = mkdtempSync(join(tmpdir(), 'clicktrace-new-user-'));
  const tarballDir = join(root, 'tarballs');
  const app = join(root, 'shop');
  mkdirSync(tarballDir);
  log(`temp dir: ${root}`);

  if (process.env.SKIP_BUILD !== '1') {
    const built = await phase(`build (${PNPM} run build)`, async () => {
      const { code } = await run('npx', ['-y', PNPM, 'run', 'build'], { cwd: REPO });
      return { ok: code === 0, note: code === 0 ? '' : 'the repository does not build' };
    });
    if (!built.ok) return;
  }

  const packed = await phase(`pack (${PNPM} pack)`, async () => {
    const results = await Promise.all(
      PACKAGES.map((name) =>
        run('npx', ['-y', PNPM, 'pack', '--pack-destination', tarballDir], {
          cwd: join(REPO, 'packages', name),
          quiet: true,
        }),
      ),
    );
    const failed = results.findIndex((result) => result.code !== 0);
    if (failed >= 0)
      return { ok: false, note: `pack of ${PACKAGES[failed]} failed:\n${results[failed].output}` };
    const tarballs = readdirSync(tarballDir)
      .filter((file) => file.endsWith('.tgz'))
      .map((file) => join(tarballDir, file));
    const problems = [];
    for (const name of PACKAGES) {
      const tarball = tarballs.find((file) => file.includes(`clicktrace-${name}-`));
      if (!tarball) {
        problems.push(`no tarball for @clicktrace/${name}`);
        continue;
      }
      const contents = readTarball(tarball);
      const manifest = JSON.parse(contents.get('package/package.json')?.toString('utf8') ?? '{}');
      const specs = {
        ...manifest.dependencies,
        ...manifest.peerDependencies,
        ...manifest.optionalDependencies,
      };
      for (const [dep, spec] of Object.entries(specs)) {
        if (/^(workspace|catalog):/.test(spec))
          problems.push(`${manifest.name}: ${dep}@${spec} left unrewritten`);
      }
      if (![...contents.keys()].some((path) => path.startsWith('package/dist/'))) {
        problems.push(`${manifest.name}: no dist/ in the tarball (not built?)`);
      }
      log(`  ${tarball.slice(tarballDir.length + 1)}: ${contents.size} files`);
    }
    return { ok: problems.length === 0, note: problems.join('; '), tarballs };
  });
  if (!packed.ok) return;

  await phase('scaffold the new project', async () => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), text);
    }
    return { ok: true, note: `${Object.keys(files).length} files in ${app}` };
  });

  const installed = await phase('npm install (tarballs + registry)', async () => {
    const { code, output } = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', ...packed.tarballs, ...REGISTRY_DEPS],
      { cwd: app, timeoutMs: 600_000 },
    );
    if (code !== 0) return { ok: false, note: `npm install exited ${code}` };
    const added = /added (\d+) packages?/.exec(output)?.[1];
    return { ok: true, note: added ? `${added} packages` : '' };
  });
  if (!installed.ok) return;

  const playwright = (args, env) =>
    run('npx', ['playwright', 'test', ...args], { cwd: app, env, timeoutMs: 240_000 });

  await phase('a. the README test, as written: must pass', async () => {
    const { code, output } = await playwright(['tests/order.spec.js'], {});
    if (code !== 0) return { ok: false, note: `playwright exited ${code}` };
    return {
      ok: /\b1 passed\b/.test(output),
      note: /\b1 passed\b/.test(output) ? '1 passed' : 'no "1 passed"',
    };
  });

  const apiPort = await freePortNow();
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  await phase('b. API origin dropped from propagateTo: must fail, naming the break', async () => {
    const { code, output } = await playwright(['tests/order.spec.js'], {
      VITE_PROPAGATE_TO: 'none',
      API_PORT: String(apiPort),
    });
    const breakLine = output.split('\n').find((line) => line.includes('in propagateTo?'));
    const named = breakLine !== undefined;
    const origin = breakLine?.includes(`${apiOrigin} in propagateTo?`) ?? false;
    if (code !== 0 && named && origin) return { ok: true, note: `failed as it must: ${breakLine.trim()}` };
    const why =
      code === 0
        ? 'the test PASSED although the API got no traceparent'
        : `it failed (exit ${code}) but ${named ? '' : 'without "in propagateTo?"'}${named && !origin ? `without ${apiOrigin}` : ''}`;
    writeFileSync(join(app, DIAGNOSTIC_SPEC[0]), DIAGNOSTIC_SPEC[1]);
    log(`(b) did not fail as it must (${why}); diagnostic: the same test asking for the SERVER span by kind`);
    const diagnostic = await playwright([DIAGNOSTIC_SPEC[0]], {
      VITE_PROPAGATE_TO: 'none',
      API_PORT: String(apiPort),
    });
    const diagnosticNamed =
      diagnostic.output.includes('in propagateTo?') && diagnostic.output.includes(apiOrigin);
    return {
      ok: false,
      note: `${why}; with through: [{ name: 'POST /api/order', kind: 'SERVER' }] it ${
        diagnostic.code === 0
          ? 'passes too'
          : diagnosticNamed
            ? 'fails naming the break'
            : 'fails without naming it'
      }`,
    };
  });

  await phase('c. two tests in parallel (2 workers): each sees only its own traces', async () => {
    const barrier = join(root, 'barrier');
    mkdirSync(barrier, { recursive: true });
    const { code, output } = await playwright(['tests/parallel.spec.js'], { BARRIER_DIR: barrier });
    const workers = /Running 2 tests using 2 workers/.test(output);
    const passed = /\b2 passed\b/.test(output);
    return {
      ok: code === 0 && passed && workers,
      note:
        code === 0
          ? workers
            ? '2 passed, 2 workers'
            : 'passed, but not on 2 workers'
          : `playwright exited ${code}`,
    };
  });
}

let crashed;
try {
  await main();
} catch (error) {
  crashed = error;
} finally {
  cleanUp();
}

log('');
log('Summary');
for (const entry of phases) {
  log(
    `  ${entry.ok ? 'PASS' : 'FAIL'}  ${entry.name}  (${entry.seconds} s)${entry.note ? `\n          ${entry.note}` : ''}`,
  );
}
if (crashed) log(`  FAIL  harness error: ${crashed instanceof Error ? crashed.stack : crashed}`);
const expected = (process.env.SKIP_BUILD === '1' ? 0 : 1) + 6; // build?, pack, scaffold, install, a, b, c
const ok = !crashed && phases.length === expected && phases.every((entry) => entry.ok);
log(`${ok ? 'PASS' : 'FAIL'}: new user check, ${seconds(started)} s in all`);
process.exit(ok ? 0 : 1);

import { defineConfig, freePort } from '@clicktrace/playwright';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';

const vite = 'node node_modules/vite/bin/vite.js';
const api = 'node --import @clicktrace/node/register dist/server.js';
const worker = 'node --import @clicktrace/node/register dist/worker.js';
// Without it Playwright SIGKILLs a web server: ours stop on SIGTERM, the servers' script stopping
// PostgreSQL and RabbitMQ and removing their folders, the apps sending their last spans.
const stopGently = { gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 15_000 } };

// Two back ends, as the demo runs them:
// - embedded (the demo's default): PGlite served over PostgreSQL's protocol, jobs in a table of it;
// - real servers, started here from Debian's packages: PostgreSQL, and RabbitMQ for the jobs.
const embedded = {
  pglitePort: freePort('E2E_PGLITE_PORT'),
  apiPort: freePort('E2E_API_PORT'),
};
const real = {
  postgresPort: freePort('E2E_POSTGRES_PORT'),
  rabbitmqPort: freePort('E2E_RABBITMQ_PORT'),
  apiPort: freePort('E2E_REAL_API_PORT'),
};
const devPort = freePort('E2E_DEV_PORT');
const previewPort = freePort('E2E_PREVIEW_PORT');
const embeddedApiUrl = `http://127.0.0.1:${embedded.apiPort}`;
const realApiUrl = `http://127.0.0.1:${real.apiPort}`;
const embeddedDatabaseUrl = `postgres://postgres@127.0.0.1:${embedded.pglitePort}/postgres`;
const realEnv = {
  DATABASE_URL: `postgres://postgres@127.0.0.1:${real.postgresPort}/clicktrace`,
  AMQP_URL: `amqp://guest:guest@127.0.0.1:${real.rabbitmqPort}`,
};

// The demo shop, driven in Chromium under `vite dev` (against the embedded back end) and as a
// production build (against the real servers), with the collector started first by clicktrace's
// defineConfig.
export default defineConfig({
  testDir: './tests',
  forbidOnly: !!process.env.CI,
  workers: 1,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions, trace: 'retain-on-failure' },
  projects: [
    { name: 'vite-dev', use: { baseURL: `http://127.0.0.1:${devPort}` } },
    { name: 'vite-build', use: { baseURL: `http://127.0.0.1:${previewPort}` } },
  ],
  webServer: [
    {
      name: 'database',
      command: 'node dist/embedded-database.js',
      cwd: '../apps/demo-api',
      ...stopGently,
      port: embedded.pglitePort,
      env: { PGLITE_PORT: String(embedded.pglitePort) },
    },
    {
      name: 'shop-api',
      command: api,
      cwd: '../apps/demo-api',
      ...stopGently,
      url: `${embeddedApiUrl}/api/items`,
      env: { PORT: String(embedded.apiPort), DATABASE_URL: embeddedDatabaseUrl },
    },
    {
      name: 'shop-worker',
      command: worker,
      cwd: '../apps/demo-api',
      ...stopGently,
      wait: { stdout: /consuming order confirmations/ },
      env: { DATABASE_URL: embeddedDatabaseUrl, EMAIL_SERVICE_URL: embeddedApiUrl },
    },
    {
      name: 'servers',
      command: `node ../../scripts/services-cli.mjs postgres:${real.postgresPort} rabbitmq:${real.rabbitmqPort}`,
      cwd: '../apps/demo-api',
      ...stopGently,
      wait: { stdout: /services ready/ },
      // RabbitMQ (Erlang) takes several seconds to boot on a loaded machine.
      timeout: 120_000,
    },
    {
      name: 'shop-api',
      command: api,
      cwd: '../apps/demo-api',
      ...stopGently,
      url: `${realApiUrl}/api/items`,
      env: { PORT: String(real.apiPort), ...realEnv },
    },
    {
      name: 'shop-worker',
      command: worker,
      cwd: '../apps/demo-api',
      ...stopGently,
      wait: { stdout: /consuming order confirmations/ },
      env: { ...realEnv, EMAIL_SERVICE_URL: realApiUrl },
    },
    {
      name: 'shop-web-dev',
      command: vite,
      cwd: '../apps/demo-web',
      url: `http://127.0.0.1:${devPort}/`,
      env: { PORT: String(devPort), VITE_API_URL: embeddedApiUrl },
    },
    {
      name: 'shop-web-build',
      command: `${vite} build --outDir dist-e2e --emptyOutDir && ${vite} preview --outDir dist-e2e`,
      cwd: '../apps/demo-web',
      url: `http://127.0.0.1:${previewPort}/`,
      env: { PORT: String(previewPort), VITE_API_URL: realApiUrl },
    },
  ],
});

import { defineConfig, freePort } from '@clicktrace/playwright';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';
import { MODES, type Mode } from './paths.js';

// The async-context matrix: apps/matrix-web served four ways (vite dev / production build, with
// the clicktrace Vite plugin / without it), every async path clicked in each, in Chromium. The
// collector comes first (clicktrace's defineConfig), then the API, then one web server per mode.
const apiPort = freePort('MATRIX_API_PORT');
const apiUrl = `http://127.0.0.1:${apiPort}`;
const vite = 'node node_modules/vite/bin/vite.js';

const ports = Object.fromEntries(
  MODES.map((mode) => [mode.id, freePort(`MATRIX_${mode.id.toUpperCase().replace('-', '_')}_PORT`)]),
) as Record<Mode['id'], number>;

const webServer = (mode: Mode) => ({
  name: `matrix-web ${mode.id}`,
  // Each mode has its own dependency cache and build output (MATRIX_MODE, see vite.config.ts).
  // --force: @clicktrace/web is pre-bundled, and Vite's dep cache does not notice a rebuilt
  // workspace package, so a stale copy of the SDK would be tested.
  command: mode.server === 'dev' ? `${vite} --force` : `${vite} build --logLevel warn && ${vite} preview`,
  cwd: '../../apps/matrix-web',
  url: `http://127.0.0.1:${ports[mode.id]}/`,
  timeout: 120_000,
  env: {
    PORT: String(ports[mode.id]),
    VITE_API_URL: apiUrl,
    MATRIX_MODE: mode.id,
    CLICKTRACE_PLUGIN: mode.plugin ? '1' : '0',
  },
});

// Built by map, not written inline: the custom `matrixMode` option (async-paths.spec.ts) is not
// in the plain PlaywrightTestConfig type.
const modeProjects = MODES.map((mode) => ({
  name: mode.id,
  testMatch: 'async-paths.spec.ts',
  use: { baseURL: `http://127.0.0.1:${ports[mode.id]}`, matrixMode: mode.id },
}));

export default defineConfig({
  testDir: '.',
  forbidOnly: !!process.env.CI,
  workers: 1,
  timeout: 30_000,
  reporter: [['list'], ['./observed-reporter.ts']],
  // No Playwright trace by default (it costs more than the tests): a failure draws the spans it
  // saw; add `--trace on` to record one.
  use: { launchOptions: chromiumLaunchOptions },
  projects: [{ name: 'docs', testMatch: 'doc-table.spec.ts' }, ...modeProjects],
  webServer: [
    {
      name: 'matrix-api',
      command: 'node --import @clicktrace/node/register dist/server.js',
      cwd: '../../apps/demo-api',
      url: `${apiUrl}/api/items`,
      env: { PORT: String(apiPort) },
    },
    ...MODES.map(webServer),
  ],
});

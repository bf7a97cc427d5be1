import { defineConfig, freePort } from '@clicktrace/playwright';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

// The breaks lab (apps/breaks-lab): one page whose buttons each break a click's trace in one of
// the ways the collector names, against real servers on loopback. The collector comes first
// (clicktrace's defineConfig), then the servers, then the page under `vite` (no clicktrace plugin).
const port = (role: string) => freePort(`BREAKS_${role.toUpperCase()}_PORT`);
const ports = {
  listed: port('listed'),
  unlisted: port('unlisted'),
  strict: port('strict'),
  restart: port('restart'),
  b3: port('b3'),
  plain: port('plain'),
  proxy: port('proxy'),
  untraced: port('untraced'),
};
const origin = (role: keyof typeof ports) => `http://127.0.0.1:${ports[role]}`;
const origins = Object.fromEntries(
  Object.keys(ports).map((role) => [role, origin(role as keyof typeof ports)]),
);
const webPort = port('web');
const lab = '../../apps/breaks-lab';
// Node runs the servers' TypeScript as it is (type stripping).
const node = 'node --experimental-strip-types --no-warnings';

export default defineConfig({
  testDir: '.',
  forbidOnly: !!process.env.CI,
  // Two tests at a time against the one collector: a break of one test's click must not show in
  // the other's (each sees only its own traces; a lost context is blamed only within its page).
  fullyParallel: true,
  workers: 2,
  timeout: 60_000,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions, baseURL: `http://127.0.0.1:${webPort}` },
  webServer: [
    {
      name: 'lab-api',
      command: `${node} src/servers/api.ts`,
      cwd: lab,
      url: `${origin('listed')}/api/ok`,
      env: {
        PORTS: JSON.stringify({
          listed: ports.listed,
          unlisted: ports.unlisted,
          strict: ports.strict,
          restart: ports.restart,
        }),
      },
    },
    {
      name: 'lab-b3-api',
      command: `${node} src/servers/api.ts`,
      cwd: lab,
      url: `${origin('b3')}/api/ok`,
      env: { PORTS: JSON.stringify({ b3: ports.b3 }), OTEL_PROPAGATORS: 'b3' },
    },
    {
      name: 'lab-plain-api',
      command: `${node} src/servers/plain-otel-api.ts`,
      cwd: lab,
      url: `${origin('plain')}/api/ok`,
      env: { PORT: String(ports.plain) },
    },
    {
      name: 'lab-proxy',
      command: `${node} src/servers/proxy.ts`,
      cwd: lab,
      url: `${origin('untraced')}/api/ok`,
      env: {
        PORTS: JSON.stringify({ proxy: ports.proxy, untraced: ports.untraced }),
        UPSTREAM: origin('listed'),
      },
    },
    {
      name: 'lab-web',
      // --force: a rebuilt workspace @clicktrace/web is not noticed by Vite's dependency cache.
      command: 'node node_modules/vite/bin/vite.js --force',
      cwd: lab,
      url: `http://127.0.0.1:${webPort}/`,
      timeout: 120_000,
      env: { PORT: String(webPort), LAB_ORIGINS: JSON.stringify(origins) },
    },
  ],
});

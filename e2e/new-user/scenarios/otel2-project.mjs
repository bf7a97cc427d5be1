// A project still on OpenTelemetry JS 2 (api 1.9, sdk-node 0.223, the 2.x auto-instrumentations):
// `npm install` of @clicktrace/node and @clicktrace/web must not fail there, and the standalone
// `--import @clicktrace/node/register` must trace it, with the page on that api 1.9. Then the same
// API started inside the project's own NodeSDK 0.223 with its auto-instrumentations, through
// withClicktrace, which supports the 2.x line too: one connected trace, one SERVER span.
import { passed, playwrightTest } from '../lib/playwright.mjs';
import {
  clickTraceSpec,
  httpServer,
  nodeSdkWithClicktrace,
  packageJson,
  playwrightConfig,
  vanillaPage,
} from './templates.mjs';

export default {
  name: 'otel2-project',
  title: 'project on OTel JS 2 (api 1.9.1, sdk-node 0.223)',

  files: ({ chromium, version }) => ({
    'package.json': packageJson('shop-otel2', { devDependencies: { vite: version('vite') } }),
    ...vanillaPage(),
    'server.js': httpServer,
    // The project's own SDK setup, with clicktrace merged in (used by the second step only).
    'instrumentation.js': nodeSdkWithClicktrace,
    'playwright.config.js': playwrightConfig({
      chromium,
      apiCommand:
        "process.env.API_SETUP === 'with-clicktrace' ? 'node --import ./instrumentation.js server.js' : 'node --import @clicktrace/node/register server.js'",
    }),
    'tests/click-trace.spec.js': clickTraceSpec(),
  }),

  installs: ({ tarballs, pinned }) => [
    // The last auto-instrumentations release on the 2.x line (sdk-node ^0.223).
    [
      '@opentelemetry/api@1.9.1',
      '@opentelemetry/sdk-node@0.223.0',
      '@opentelemetry/auto-instrumentations-node@0.81.2',
    ],
    [tarballs.node, tarballs.web],
    ['-D', tarballs.playwright, tarballs.collector, pinned('@playwright/test')],
  ],

  steps: [
    {
      name: 'standalone --import @clicktrace/node/register: click -> fetch -> server, by ids',
      run: async (project) => passed(await playwrightTest(project, ['tests/click-trace.spec.js']), 1),
    },
    {
      name: 'withClicktrace inside NodeSDK 0.223 + auto-instrumentations: click -> fetch -> ONE server span, by ids',
      run: async (project) =>
        passed(
          await playwrightTest(project, ['tests/click-trace.spec.js'], { API_SETUP: 'with-clicktrace' }),
          1,
        ),
    },
  ],
};

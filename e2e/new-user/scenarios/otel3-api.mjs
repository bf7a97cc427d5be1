// An Express API that already traces itself with OpenTelemetry JS 3: NodeSDK and
// getNodeAutoInstrumentations(), exporting with NodeSDK's default OTLP exporter to
// OTEL_EXPORTER_OTLP_ENDPOINT (which defineConfig points at the test's collector). clicktrace joins
// it through withClicktrace (DESIGN.md, "server that already runs its own OpenTelemetry JS 3 SDK"),
// and a minimal Vite page with @clicktrace/web clicks. The auto-instrumentations bring the stock
// http instrumentation: the request must still have exactly ONE SERVER span, the fetch span's child.
import { passed, playwrightTest } from '../lib/playwright.mjs';
import {
  clickTraceSpec,
  expressServer,
  nodeSdkWithClicktrace,
  packageJson,
  playwrightConfig,
  vanillaPage,
} from './templates.mjs';

export default {
  name: 'otel3-api',
  title: 'Express on OTel JS 3: NodeSDK + auto-instr. + withClicktrace',

  files: ({ chromium, version }) => ({
    'package.json': packageJson('shop-otel3', { devDependencies: { vite: version('vite') } }),
    ...vanillaPage(),
    'instrumentation.js': nodeSdkWithClicktrace,
    'server.js': expressServer,
    'playwright.config.js': playwrightConfig({
      chromium,
      apiCommand: `'node --import ./instrumentation.js server.js'`,
    }),
    'tests/click-trace.spec.js': clickTraceSpec(),
  }),

  // A user who already traces their backend: the OpenTelemetry JS 3 packages at their latest, then
  // clicktrace, then the test tools.
  installs: ({ tarballs, pinned }) => [
    [
      '@opentelemetry/api@latest',
      '@opentelemetry/sdk-node@latest',
      '@opentelemetry/auto-instrumentations-node@latest',
      'express',
    ],
    [tarballs.node, tarballs.web],
    ['-D', tarballs.playwright, tarballs.collector, pinned('@playwright/test')],
  ],

  steps: [
    {
      name: 'click -> fetch -> ONE server span, by ids (withClicktrace)',
      run: async (project) => passed(await playwrightTest(project, ['tests/click-trace.spec.js']), 1),
    },
  ],
};

// A SPA that also installs @opentelemetry/api@latest and the stock document-load instrumentation,
// handed to clicktrace through startTracing's `instrumentations` option (DESIGN.md, browser
// production options). The click's trace must be whole, and the documentLoad span must arrive
// under the page's service.name. The API is a small node:http server run with register.
import { passed, playwrightTest } from '../lib/playwright.mjs';
import { clickTraceSpec, httpServer, packageJson, playwrightConfig, vanillaPage } from './templates.mjs';

export default {
  name: 'document-load-spa',
  title: 'SPA + api@latest + stock document-load instr.',

  files: ({ chromium, version }) => ({
    'package.json': packageJson('shop-document-load', { devDependencies: { vite: version('vite') } }),
    ...vanillaPage({
      imports:
        "import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';\n",
      options:
        "\n  instrumentations: [new DocumentLoadInstrumentation()], // the app's own OpenTelemetry instrumentations",
    }),
    'api.js': httpServer,
    'playwright.config.js': playwrightConfig({
      chromium,
      apiCommand: `'node --import @clicktrace/node/register api.js'`,
    }),
    'tests/click-trace.spec.js': clickTraceSpec({ documentLoad: true }),
  }),

  installs: ({ tarballs, pinned }) => [
    ['@opentelemetry/api@latest', '@opentelemetry/instrumentation-document-load@latest', tarballs.web],
    [tarballs.node],
    ['-D', tarballs.playwright, tarballs.collector, pinned('@playwright/test')],
  ],

  steps: [
    {
      name: 'click -> fetch -> server by ids; documentLoad under shop-web',
      run: async (project) => passed(await playwrightTest(project, ['tests/click-trace.spec.js']), 2),
    },
  ],
};

import { defineConfig } from 'tsdown';
import { BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE } from '../../scripts/bundled-opentelemetry.ts';

export default defineConfig([
  {
    // No apiCompat() here: nothing bundled for the page imports a name api 1.9 lacks (the
    // instrumentation base class, which does, is left out on purpose: register-instrumentations.ts).
    entry: { index: 'src/index.ts' },
    platform: 'browser',
    target: 'es2022',
    fixedExtension: false,
    dts: { resolve: [BUNDLED_OPENTELEMETRY] },
    deps: { alwaysBundle: [BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE] },
  },
  {
    // The worker entry (@clicktrace/web/worker) is built on its own, so that the page's entry
    // shares no chunk with it and stays one file.
    entry: { worker: 'src/worker.ts' },
    platform: 'browser',
    target: 'es2022',
    fixedExtension: false,
    clean: false,
    dts: { resolve: [BUNDLED_OPENTELEMETRY] },
    deps: { alwaysBundle: [BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE] },
  },
  {
    // The Vite plugin runs in Node, in the user's Vite config.
    entry: { 'vite/index': 'src/vite/index.ts' },
    platform: 'node',
    target: 'node22.15',
    fixedExtension: false,
    clean: false,
    dts: { tsconfig: 'src/vite/tsconfig.json' },
  },
]);

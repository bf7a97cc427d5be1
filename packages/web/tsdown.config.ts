import { defineConfig } from 'tsdown';
import { apiCompat, BUNDLED_OPENTELEMETRY } from '../../scripts/bundled-opentelemetry.ts';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    platform: 'browser',
    target: 'es2022',
    fixedExtension: false,
    dts: { resolve: [BUNDLED_OPENTELEMETRY] },
    deps: { alwaysBundle: [BUNDLED_OPENTELEMETRY] },
    plugins: [apiCompat(import.meta.url)],
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

import { clicktrace } from '@clicktrace/web/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// One app, four ways of serving it (e2e/matrix): `vite` or `vite build && vite preview`, with the
// clicktrace plugin or without it (CLICKTRACE_PLUGIN=0). Each way gets its own dependency cache
// and build output (MATRIX_MODE), so the four servers can run side by side without sharing
// pre-bundled dependencies built for another plugin setting.
const port = Number(process.env.PORT ?? 5180);
const mode = process.env.MATRIX_MODE ?? 'default';
const wantPlugin = process.env.CLICKTRACE_PLUGIN !== '0';

const status = wantPlugin ? 'on' : 'off';

export default defineConfig({
  plugins: wantPlugin ? [react(), clicktrace()] : [react()],
  define: { __CLICKTRACE_PLUGIN__: JSON.stringify(status) },
  cacheDir: `node_modules/.vite-${mode}`,
  // Installed from npm, @clicktrace/web is pre-bundled like any dependency; a workspace link is
  // not by default. Pre-bundle it here too, so dev mode serves it as applications get it.
  optimizeDeps: { include: ['@clicktrace/web'] },
  build: { outDir: `dist/${mode}`, emptyOutDir: true },
  server: { host: '127.0.0.1', port, strictPort: true, warmup: { clientFiles: ['./src/main.ts'] } },
  preview: { host: '127.0.0.1', port, strictPort: true },
});

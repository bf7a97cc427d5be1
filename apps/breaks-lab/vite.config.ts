import { defineConfig } from 'vite';

// The lab's page, served WITHOUT the clicktrace Vite plugin: its "context-lost" button must lose
// the click's context at a native await, as an app without the plugin does. Every other button
// calls fetch before any await, so the plugin would change nothing for them.
const port = Number(process.env.PORT ?? 5190);

export default defineConfig({
  // Installed from npm, @clicktrace/web is pre-bundled like any dependency; a workspace link is not
  // by default. --force on the command line: a rebuilt workspace package is not noticed otherwise.
  optimizeDeps: { include: ['@clicktrace/web'] },
  define: { __LAB_ORIGINS__: JSON.stringify(process.env.LAB_ORIGINS ?? '{}') },
  server: { host: '127.0.0.1', port, strictPort: true, warmup: { clientFiles: ['./src/page/main.ts'] } },
});

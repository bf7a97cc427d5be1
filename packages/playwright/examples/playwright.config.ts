// playwright.config.ts
import { defineConfig, freePort } from '@clicktrace/playwright';

const apiPort = freePort('API_PORT'); // one free port, the same in the runner and every worker

export default defineConfig({
  testDir: './tests',
  use: { baseURL: 'http://127.0.0.1:5173' },
  webServer: [
    {
      name: 'shop-api', // becomes its OTEL_SERVICE_NAME
      command: 'node --import @clicktrace/node/register server.js',
      url: `http://127.0.0.1:${apiPort}/health`,
      env: { PORT: String(apiPort) },
    },
    {
      name: 'shop-web',
      command: 'npx vite --port 5173 --strictPort',
      url: 'http://127.0.0.1:5173/',
      env: { VITE_API_URL: `http://127.0.0.1:${apiPort}` },
    },
  ],
});

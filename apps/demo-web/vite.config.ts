import { clicktrace } from '@clicktrace/web/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Host and port come from the environment so the demo script and the e2e suite can pick free ports.
const port = Number(process.env.PORT ?? 5173);

export default defineConfig({
  // clicktrace() lowers `async`/`await` so zone.js, and so the click's trace, follows every await.
  plugins: [react(), clicktrace()],
  server: { host: '127.0.0.1', port, strictPort: true },
  preview: { host: '127.0.0.1', port, strictPort: true },
});

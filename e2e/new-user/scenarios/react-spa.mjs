// A fresh Vite + React SPA (`npm create vite --template react`, trimmed) with @clicktrace/web, in
// front of a small node:http API run with `node --import @clicktrace/node/register`. Each
// clicktrace package is installed with its README's own `npm install` line, so the READMEs'
// install advice is what gets tested.
import { passed, playwrightTest } from '../lib/playwright.mjs';
import { readmeInstallArgs } from '../lib/readme.mjs';
import { clickTraceSpec, httpServer, indexHtml, packageJson, playwrightConfig } from './templates.mjs';

export default {
  name: 'react-spa',
  title: 'fresh Vite + React SPA + register API',

  files: ({ chromium, version }) => ({
    'package.json': packageJson('shop-react', {
      dependencies: { react: version('react'), 'react-dom': version('react-dom') },
      devDependencies: { vite: version('vite'), '@vitejs/plugin-react': version('@vitejs/plugin-react') },
    }),
    'index.html': indexHtml('/src/main.jsx', '<div id="root"></div>'),
    // packages/web/README.md, "Vite plugin", beside React's own plugin.
    'vite.config.js': `import react from '@vitejs/plugin-react';
import { clicktrace } from '@clicktrace/web/vite';
import { defineConfig } from 'vite';

export default defineConfig({ plugins: [react(), clicktrace()] });
`,
    // packages/web/README.md, quick start: startTracing first in the entry module, then the app.
    'src/main.jsx': `import { startTracing } from '@clicktrace/web';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App.jsx';

startTracing({
  serviceName: 'shop-web',
  endpoint: 'http://127.0.0.1:4318/v1/traces',
  propagateTo: [import.meta.env.VITE_API_URL],
});

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
`,
    // No tracing code: React's delegated onClick, state, and a native async/await handler.
    'src/App.jsx': `import { useState } from 'react';

const API_URL = import.meta.env.VITE_API_URL;

export default function App() {
  const [item, setItem] = useState('tea');
  const [orders, setOrders] = useState(0);
  const [status, setStatus] = useState('');

  async function order() {
    setStatus('ordering...');
    try {
      const response = await fetch(\`\${API_URL}/api/order?item=\${encodeURIComponent(item)}\`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item }),
      });
      const result = await response.json();
      setOrders(orders + 1);
      setStatus(\`ordered \${result.item} #\${orders + 1}\`);
    } catch (error) {
      setStatus(\`failed: \${error}\`);
    }
  }

  return (
    <main>
      <h1>Shop</h1>
      <label>
        Item <input value={item} onChange={(event) => setItem(event.target.value)} />
      </label>
      <button type="button" onClick={order}>
        Order
      </button>
      <p role="status">{status}</p>
    </main>
  );
}
`,
    'api.js': httpServer,
    'playwright.config.js': playwrightConfig({
      chromium,
      apiCommand: `'node --import @clicktrace/node/register api.js'`,
    }),
    'tests/click-trace.spec.js': clickTraceSpec(),
  }),

  installs: ({ repo, tarballs }) => [
    [],
    readmeInstallArgs(repo, 'web', tarballs),
    readmeInstallArgs(repo, 'node', tarballs),
    readmeInstallArgs(repo, 'playwright', tarballs),
  ],

  steps: [
    {
      name: 'click -> fetch -> server, by ids',
      run: async (project) => passed(await playwrightTest(project, ['tests/click-trace.spec.js']), 1),
    },
  ],
};

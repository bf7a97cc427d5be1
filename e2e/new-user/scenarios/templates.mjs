// The files every consumer project shares, each written from the packages' READMEs: the page
// (startTracing first, the API origin in propagateTo, the Vite plugin), the API (CORS from
// @clicktrace/node/cors), the Playwright config (defineConfig and freePort from
// @clicktrace/playwright) and the test that asserts one click's trace by ids. Every project has
// one Order button that POSTs to /api/order on the API's origin.

/** A package.json as `npm create vite` writes it, with the project's own starting dependencies. */
export function packageJson(name, { dependencies, devDependencies } = {}) {
  const manifest = {
    name,
    private: true,
    version: '0.0.0',
    type: 'module',
    scripts: { dev: 'vite', build: 'vite build', preview: 'vite preview', test: 'playwright test' },
    ...(dependencies && { dependencies }),
    ...(devDependencies && { devDependencies }),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * A vanilla Vite page (index.html, src/main.js, vite.config.js). `imports` and `options` add to
 * the startTracing call (the document-load SPA's instrumentation); `breakable` lets the harness
 * drop the API origin from propagateTo (VITE_PROPAGATE_TO=none), to see a broken trace named.
 */
export function vanillaPage({ imports = '', options = '', breakable = false } = {}) {
  const propagateTo = breakable
    ? `// Origins that get traceparent. (The harness sets VITE_PROPAGATE_TO=none to break the chain.)
  propagateTo: import.meta.env.VITE_PROPAGATE_TO === 'none' ? [] : [API_URL],`
    : `propagateTo: [API_URL], // origins that get traceparent`;
  return {
    'index.html': indexHtml('/src/main.js', '<div id="app"></div>'),

    // packages/web/README.md, quick start: import it first, startTracing({ serviceName, endpoint, propagateTo }).
    'src/main.js': `import { startTracing } from '@clicktrace/web';
${imports}
const API_URL = import.meta.env.VITE_API_URL ?? 'http://127.0.0.1:3001';

startTracing({
  serviceName: 'shop-web',
  endpoint: 'http://127.0.0.1:4318/v1/traces', // OTLP/HTTP traces URL
  ${propagateTo}${options}
});

document.querySelector('#app').innerHTML = \`
  <h1>Shop</h1>
  <label>Item <input id="item" value="tea" /></label>
  <button id="order" type="button">Order</button>
  <p id="result" role="status"></p>
\`;

let orders = 0;
const result = document.querySelector('#result');
document.querySelector('#order').addEventListener('click', async () => {
  const item = document.querySelector('#item').value;
  result.textContent = 'ordering...';
  try {
    const response = await fetch(\`\${API_URL}/api/order?item=\${encodeURIComponent(item)}\`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item }),
    });
    const order = await response.json();
    orders += 1;
    result.textContent = \`ordered \${order.item} #\${orders}\`;
  } catch (error) {
    result.textContent = \`failed: \${error}\`;
  }
});
`,

    // packages/web/README.md, "Vite plugin".
    'vite.config.js': `import { clicktrace } from '@clicktrace/web/vite';

export default { plugins: [clicktrace()] };
`,
  };
}

export function indexHtml(entry, body) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>shop</title>
  </head>
  <body>
    ${body}
    <script type="module" src="${entry}"></script>
  </body>
</html>
`;
}

// packages/node/README.md, "CORS for browsers", Express: app.use(corsMiddleware({ origins })) before
// the routes. (The README imports it from '@clicktrace/node'; the package has it at /cors.)
export const expressServer = `import { corsMiddleware } from '@clicktrace/node/cors';
import express from 'express';

const app = express();
app.use(corsMiddleware({ origins: [process.env.WEB_ORIGIN ?? 'http://127.0.0.1:5173'] }));
app.use(express.json());

app.get('/health', (_request, response) => {
  response.send('ok');
});

app.post('/api/order', (request, response) => {
  const item = request.body?.item ?? request.query.item ?? 'nothing';
  response.json({ ok: true, item });
});

const port = Number(process.env.PORT ?? 3001);
app.listen(port, '127.0.0.1', () => {
  console.log(\`shop-api on http://127.0.0.1:\${port}\`);
});
`;

// A small API on node:http, no framework: packages/node/README.md, "CORS for browsers", node:http.
export const httpServer = `import { createServer } from 'node:http';
import { cors } from '@clicktrace/node/cors';

const handleCors = cors({ origins: [process.env.WEB_ORIGIN ?? 'http://127.0.0.1:5173'] });

const server = createServer(async (request, response) => {
  if (handleCors(request, response)) return; // it answered a preflight
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method === 'GET' && url.pathname === '/health') {
    response.end('ok');
    return;
  }
  if (request.method === 'POST' && url.pathname === '/api/order') {
    let body = '';
    for await (const chunk of request) body += chunk;
    const item = JSON.parse(body || '{}').item ?? url.searchParams.get('item') ?? 'nothing';
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: true, item }));
    return;
  }
  response.statusCode = 404;
  response.end();
});

const port = Number(process.env.PORT ?? 3001);
server.listen(port, '127.0.0.1', () => {
  console.log(\`shop-api on http://127.0.0.1:\${port}\`);
});
`;

/**
 * packages/playwright/README.md, quick start: defineConfig and freePort, the API and vite dev as
 * webServers on 127.0.0.1, the machine's Chromium. `apiCommand` is JavaScript source for the
 * API's command (a string literal, or an expression choosing one). The API's stdout is shown, so
 * what the SDK says when it starts ends up in the check's log.
 */
export function playwrightConfig({ chromium, apiCommand }) {
  return `import { defineConfig, freePort } from '@clicktrace/playwright';

const apiPort = freePort('API_PORT'); // one free port, the same in the runner and every worker
const webPort = freePort('WEB_PORT');
const apiUrl = \`http://127.0.0.1:\${apiPort}\`;
const webUrl = \`http://127.0.0.1:\${webPort}\`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  reporter: 'list',
  use: {
    baseURL: webUrl,
    launchOptions: ${JSON.stringify(chromium, null, 2).replace(/\n/g, '\n    ')},
  },
  webServer: [
    {
      name: 'shop-api', // becomes its OTEL_SERVICE_NAME
      command: ${apiCommand},
      url: \`\${apiUrl}/health\`,
      env: { PORT: String(apiPort), WEB_ORIGIN: webUrl },
      stdout: 'pipe',
    },
    {
      name: 'shop-web',
      command: \`npx vite --host 127.0.0.1 --strictPort --port \${webPort}\`,
      url: \`\${webUrl}/\`,
      env: { VITE_API_URL: apiUrl },
    },
  ],
});
`;
}

/**
 * The test every scenario runs: one click's trace, asserted by ids. The click span is the root
 * (INTERNAL, named click...), the fetch span (CLIENT) its child, and the API's one SERVER span the
 * fetch span's child, all in one trace; the fetch span links back to the SERVER span (Server-Timing),
 * which only clicktrace's server side sends. Each expectation's message draws the trace. With
 * `documentLoad`, a second test asks for the stock document-load instrumentation's span, under
 * the page's service.name.
 */
export function clickTraceSpec({ documentLoad = false } = {}) {
  const spec = `import { expect, test } from '@clicktrace/playwright';

/** One span on one line, with the instrumentation that made it, for the failure messages. */
const line = (span) =>
  \`\${span.name} [\${span.kind} \${span.serviceName}, \${span.scope.name}] span=\${span.spanId} parent=\${span.parentSpanId}\`;

test('a click on Order is one trace: click -> fetch -> server, by ids', async ({ page, traces }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Order' }).click();
  await expect(page.getByRole('status')).toHaveText('ordered tea #1');

  const trace = await traces.waitForTrace({ root: /^click/, through: ['POST /api/order'] });
  const drawn = \`\\n\${trace}\`;

  const click = trace.root;
  expect(click, \`one root span\${drawn}\`).toBeDefined();
  expect(click.name, \`the root is the click\${drawn}\`).toMatch(/^click/);
  expect(click.kind, \`the click span's kind\${drawn}\`).toBe('INTERNAL');
  expect(click.serviceName, \`the click span's service\${drawn}\`).toBe('shop-web');

  const requests = trace.filter({ name: 'POST /api/order', kind: 'CLIENT' });
  expect(requests.map(line), \`one fetch span (CLIENT) for POST /api/order\${drawn}\`).toHaveLength(1);
  const [request] = requests;
  expect(request.parentSpanId, \`the fetch span's parent is the click span \${click.spanId}\${drawn}\`).toBe(click.spanId);

  const servers = trace.filter({ kind: 'SERVER' });
  expect(servers.map(line), \`exactly one SERVER span in the trace\${drawn}\`).toHaveLength(1);
  const [server] = servers;
  expect(server.serviceName, \`the SERVER span's service\${drawn}\`).toBe('shop-api');
  expect(server.parentSpanId, \`the SERVER span's parent is the fetch span \${request.spanId}\${drawn}\`).toBe(
    request.spanId,
  );

  // The API named its span in the Server-Timing backlink and the page linked the fetch span to it
  // (packages/web/README.md, "Requests"): clicktrace served the request, not only some SDK.
  expect(
    request.links.map((link) => \`\${link.traceId}-\${link.spanId}\`),
    \`the fetch span links to the SERVER span (Server-Timing backlink)\${drawn}\`,
  ).toContain(\`\${server.traceId}-\${server.spanId}\`);

  for (const span of [click, request, server]) expect(span.traceId, \`\${span.name}'s trace id\`).toBe(trace.traceId);
  expect(trace).toBeConnected();
});
`;
  if (!documentLoad) return spec;
  return `${spec}
test('the stock documentLoad span is exported under the page\\'s service.name', async ({ page, traces }) => {
  await page.goto('/');
  const trace = await traces.waitForTrace({ root: 'documentLoad' });
  expect(trace.root?.serviceName, \`the documentLoad span's service\\n\${trace}\`).toBe('shop-web');
});
`;
}

/**
 * The server's own NodeSDK with the auto-instrumentations, clicktrace merged in through
 * withClicktrace, as packages/node's README shows it (`node --import ./instrumentation.js`).
 */
export const nodeSdkWithClicktrace = `import { NodeSDK } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { withClicktrace } from '@clicktrace/node';

new NodeSDK(withClicktrace({ serviceName: 'shop-api', instrumentations: [getNodeAutoInstrumentations()] })).start();
`;

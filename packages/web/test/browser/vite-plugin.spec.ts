import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { build, createServer, type InlineConfig, preview } from 'vite';
import { clicktrace } from '../../src/vite/index.js';

// @clicktrace/web/vite in Chromium: the fixture app (test/vite/fixtures/app) runs a click handler
// in a zone named 'click' and records the current zone after three awaits, an await inside a
// pre-bundled dependency (@opentelemetry/instrumentation), and a for await over an async generator.
// With the plugin every step is still in 'click', in vite dev and in a vite build; without it,
// zone.js loses the zone at the first native await.

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const root = fileURLToPath(new URL('../vite/fixtures/app', import.meta.url));
const STEPS = ['start', 'await1', 'await2', 'await3', 'dep', 'afterDep', 'forAwait:', 'forAwait:', 'end'];

interface Served {
  origin: string;
  close(): Promise<void>;
}

function config(withPlugin: boolean, mode: string): InlineConfig {
  const name = `${mode}-${withPlugin ? 'plugin' : 'none'}`;
  return {
    root,
    configFile: false,
    logLevel: 'warn',
    cacheDir: `${packageDir}node_modules/.vite-plugin-test/${name}`,
    plugins: withPlugin ? [clicktrace()] : [],
    // Discover the dependency up front: a late discovery reloads the page mid-test.
    optimizeDeps: { entries: ['index.html'] },
    server: { host: '127.0.0.1', port: 0, hmr: false },
    preview: { host: '127.0.0.1', port: 0 },
    build: { outDir: `${packageDir}test-results/vite-plugin/${name}`, emptyOutDir: true },
  };
}

async function serve(withPlugin: boolean, mode: 'dev' | 'build'): Promise<Served> {
  const inline = config(withPlugin, mode);
  if (mode === 'dev') {
    await rm(inline.cacheDir as string, { recursive: true, force: true }); // a cold dep cache
    const server = await createServer(inline);
    await server.listen();
    const address = server.httpServer?.address() as AddressInfo;
    return { origin: `http://127.0.0.1:${address.port}`, close: () => server.close() };
  }
  await build(inline);
  const server = await preview(inline);
  const { port } = server.httpServer.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

for (const mode of ['dev', 'build'] as const) {
  for (const withPlugin of [true, false]) {
    test(`vite ${mode} ${withPlugin ? 'with' : 'without'} clicktrace(): zone after every await`, async ({
      page,
    }) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const served = await serve(withPlugin, mode);
      try {
        await page.goto(served.origin);
        await page.getByRole('button', { name: 'Go' }).click();
        const output = page.locator('#zones');
        await expect(output).not.toBeEmpty();
        const steps = ((await output.textContent()) ?? '').split(' ').map((step) => step.split('='));
        expect(steps.map(([step]) => step?.replace(/:.*/, ':'))).toEqual(STEPS);
        const zones = Object.fromEntries(steps.map(([step, zone], i) => [`${i}:${step}`, zone]));
        if (withPlugin) {
          for (const [step, zone] of Object.entries(zones)) expect(zone, step).toBe('click');
        } else {
          expect(zones['0:start']).toBe('click');
          expect(zones['1:await1']).not.toBe('click');
          expect(zones['5:afterDep']).not.toBe('click');
        }
        expect(errors).toEqual([]);
      } finally {
        await served.close();
      }
    });
  }
}

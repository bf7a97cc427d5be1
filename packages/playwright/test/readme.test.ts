import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PlaywrightTestConfig } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import { codeBlocks, readmeBlockFor } from '../../../scripts/readme-block.mjs';
import { Trace } from '../src/trace.js';
import { findTraceBreaks } from '../src/trace-breaks.js';
import { checkoutSpans } from './spans.js';

// The README's quick start is two files, shown verbatim: examples/playwright.config.ts (the shape of a
// config; evaluated here) and e2e/tests/readme-quick-start.spec.ts (run by the e2e suite on the demo shop).
const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${packageRoot}README.md`, 'utf8');
const config = {
  path: `${packageRoot}examples/playwright.config.ts`,
  shown: 'examples/playwright.config.ts',
};
const spec = {
  path: `${repoRoot}e2e/tests/readme-quick-start.spec.ts`,
  shown: 'e2e/tests/readme-quick-start.spec.ts',
};

/** Fails with a line diff against the README block that starts like the file, when they differ. */
function expectReadmeToContain(file: { path: string; shown: string }): void {
  const source = readFileSync(file.path, 'utf8').trim();
  const message = `README.md must show ${file.shown} verbatim in a code block: copy the file into it`;
  expect(readmeBlockFor(readme, source), message).toBe(source);
}

/** Names each `export { … } from` / `export type { … } from` of src/index.ts declares. */
function indexExports(): { values: Set<string>; types: Set<string> } {
  const index = readFileSync(`${packageRoot}src/index.ts`, 'utf8');
  const values = new Set<string>();
  const types = new Set<string>();
  for (const [, type, names = ''] of index.matchAll(/^export (type )?\{([^}]*)\} from /gm)) {
    for (const name of names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)) {
      if (type || name.startsWith('type ')) types.add(name.replace(/^type /, ''));
      else values.add(name);
    }
  }
  return { values, types };
}

describe('README quick start', () => {
  it(`shows ${config.shown} and ${spec.shown} verbatim`, () => {
    expectReadmeToContain(config);
    expectReadmeToContain(spec);
  });

  it('imports from @clicktrace/playwright only names that src/index.ts exports', () => {
    const { values, types } = indexExports();
    expect(values).toContain('defineConfig');
    const imports = [...readme.matchAll(/^import (type )?\{([^}]*)\} from '@clicktrace\/playwright';$/gm)];
    expect(imports.length, 'the README imports from @clicktrace/playwright').toBeGreaterThan(1);
    for (const [statement, type, names = ''] of imports) {
      for (const name of names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)) {
        const exported = type ? values.has(name) || types.has(name) : values.has(name);
        expect(exported, `README: ${statement} — src/index.ts does not export ${name}`).toBe(true);
      }
    }
  });

  it('shows what toBeConnected prints for a trace whose fetch span is missing', () => {
    const [click, , server] = checkoutSpans();
    const broken = new Trace(
      '0af7651916cd43dd8448eb211c80319c',
      [click, server].filter((s) => s !== undefined),
    );
    // The part of the matcher's message after its hint line (see src/matchers.ts).
    const printed = `The trace is broken: ${findTraceBreaks(broken).join('; ')}.\n${broken.toString()}`;
    expect(codeBlocks(readme), 'README.md must show the failure toBeConnected prints').toContain(printed);
  });

  describe('the config, evaluated', () => {
    // It imports '@clicktrace/playwright' by name, which resolves to dist/ (built by the global setup).
    it('starts the collector first and hands every webServer its OTLP endpoint and service name', async () => {
      const { default: evaluated } = (await import(config.path)) as { default: PlaywrightTestConfig };
      const [collector, api, web] = [evaluated.webServer].flat() as Array<{
        name?: string;
        command: string;
        url?: string;
        env?: Record<string, string>;
      }>;
      const collectorUrl = process.env.CLICKTRACE_COLLECTOR_URL;
      expect(collectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(collector).toMatchObject({ name: 'clicktrace collector', url: `${collectorUrl}/health` });
      expect(collector?.command).toContain('clicktrace-collector.js');
      const apiPort = process.env.API_PORT;
      expect(api).toMatchObject({
        name: 'shop-api',
        url: `http://127.0.0.1:${apiPort}/health`,
        env: { PORT: apiPort, OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_SERVICE_NAME: 'shop-api' },
      });
      expect(web).toMatchObject({
        name: 'shop-web',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_SERVICE_NAME: 'shop-web' },
      });
    });
  });
});

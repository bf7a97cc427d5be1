import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as dist from '../dist/index.js';
import { bundleViewer, GENERATED_MODULE, generatedModule } from '../scripts/viewer-bundle.ts';
import * as src from '../src/index.js';
import { VIEWER_SCRIPT } from '../src/viewer-page.js';
import { storedSpan } from './sample-trace.js';

// How the viewer's TypeScript reaches its pages: scripts/viewer-bundle.ts. What the pages do
// is tested in Chromium (viewer-*.test.ts).
describe('the viewer bundle', { timeout: 30_000 }, () => {
  it('src/viewer-bundle.generated.ts is exactly what the build makes from src/viewer/', async () => {
    expect(readFileSync(GENERATED_MODULE, 'utf8')).toBe(generatedModule(await bundleViewer()));
  });

  it('the built package serves and renders the same pages as the sources', async () => {
    const spans = [storedSpan()];
    expect(dist.renderTraceHtml(spans)).toBe(src.renderTraceHtml(spans));
    const [built, sources] = await Promise.all([
      dist.startCollector({ port: 0 }),
      src.startCollector({ port: 0 }),
    ]);
    try {
      const pages = await Promise.all([built, sources].map(async (c) => (await fetch(c.url)).text()));
      expect(pages[0]).toContain(VIEWER_SCRIPT);
      expect(pages[0]).toBe(pages[1]);
    } finally {
      await Promise.all([built.close(), sources.close()]);
    }
  });
});

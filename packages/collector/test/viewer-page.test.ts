import { describe, expect, it } from 'vitest';
import { VIEWER_PAGE } from '../src/viewer-page.js';

// The page is drawn in real Chromium in viewer-in-chromium.test.ts; these guard its hard rules as text.
describe('VIEWER_PAGE', () => {
  it('is self-contained: no external scripts, styles or URLs', () => {
    expect(VIEWER_PAGE).not.toMatch(/\bsrc=|<link\b|https?:\/\//);
  });

  it('never puts data into the DOM as HTML', () => {
    expect(VIEWER_PAGE).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('reads the API with relative URLs, so it works behind a path prefix', () => {
    expect(VIEWER_PAGE).toContain("getJson('api/traces')");
    expect(VIEWER_PAGE).not.toContain("'/api/traces");
  });

  it('is a script the browser can parse', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(VIEWER_PAGE)?.[1] ?? '';
    expect(script.length).toBeGreaterThan(1000);
    expect(() => new Function(script)).not.toThrow();
  });
});

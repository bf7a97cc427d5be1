import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeBlockFor } from '../../../scripts/readme-block.mjs';

// The README's quick start is examples/quick-start/main.ts, verbatim. The example itself (with its
// app.ts and index.html) is served by Vite and clicked in Chromium by test/browser/quick-start.spec.ts.
const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const readme = readFileSync(`${packageRoot}README.md`, 'utf8');
const example = 'examples/quick-start/main.ts';

/** Fails with a line diff against the README block that starts like the file, when they differ. */
function expectReadmeToContain(file: string): void {
  const source = readFileSync(`${packageRoot}${file}`, 'utf8').trim();
  const message = `README.md must show ${file} verbatim in a code block: copy the file into it`;
  expect(readmeBlockFor(readme, source), message).toBe(source);
}

describe('README quick start', () => {
  it(`shows ${example} verbatim`, () => {
    expectReadmeToContain(example);
  });

  // Loaded in Chromium by test/browser/production-example.spec.ts.
  it('shows examples/production/main.ts verbatim', () => {
    expectReadmeToContain('examples/production/main.ts');
  });

  it('is the entry module of the example page, which mounts an app with a button', () => {
    const html = readFileSync(`${packageRoot}examples/quick-start/index.html`, 'utf8');
    expect(html).toContain('<script type="module" src="./main.ts"></script>');
    const app = readFileSync(`${packageRoot}examples/quick-start/app.ts`, 'utf8');
    expect(app).toContain('export function mountApp(): void');
  });
});

import { fileURLToPath } from 'node:url';
import { build, parseAst, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { clicktrace } from '../../src/vite/index.js';
import { countNativeAsync } from './native-async.js';

// The fixture app (test/vite/fixtures/app) built by Vite for production: its own async code (a .ts
// entry with an async arrow, an async method and for await; a .js async generator) and a real
// dependency with native async functions (@opentelemetry/instrumentation, from node_modules).
const root = fileURLToPath(new URL('./fixtures/app', import.meta.url));

async function buildApp(withPlugin: boolean): Promise<Rolldown.OutputChunk[]> {
  const output = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: withPlugin ? [clicktrace()] : [],
    build: { write: false, minify: false },
  });
  return [output]
    .flat()
    .flatMap((o) => ('output' in o ? o.output : []))
    .filter((file): file is Rolldown.OutputChunk => file.type === 'chunk');
}

function modulesOf(chunks: Rolldown.OutputChunk[]): string[] {
  return chunks.flatMap((chunk) => Object.keys(chunk.modules));
}

describe('vite build of the fixture app', () => {
  it('keeps native async/await without the plugin', async () => {
    const chunks = await buildApp(false);
    const code = chunks.map((c) => c.code).join('\n');
    expect(countNativeAsync(parseAst(code))).toBeGreaterThan(5);
    expect(code).toMatch(/async run\(\)/);
    expect(code).toMatch(/async function\* ticks\(\)/);
    expect(code).toMatch(/async function safeExecuteInTheMiddleAsync\(/);
  }, 60_000);

  it('has no native async function or await left with the plugin, in the app or its dependency', async () => {
    const chunks = await buildApp(true);
    const code = chunks.map((c) => c.code).join('\n');
    expect(countNativeAsync(parseAst(code))).toBe(0);
    expect(code).not.toMatch(/\basync\s+(?:function|run\b|\()/);
    // The same modules are there, lowered, with oxc's helpers (rolldown bundles its own copy in a
    // build; our resolver serves them in dev).
    expect(code).toMatch(/function safeExecuteInTheMiddleAsync\(/);
    expect(code).toMatch(/function ticks\(\)/);
    const modules = modulesOf(chunks);
    expect(
      modules.some((id) => /@oxc-project[+/\\]runtime\b.*[\\/]esm[\\/]asyncToGenerator\.js$/.test(id)),
    ).toBe(true);
    expect(modules.some((id) => /[\\/]zone\.js[\\/]/.test(id))).toBe(true);
  }, 60_000);
});

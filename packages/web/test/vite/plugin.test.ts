import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig, UserConfig } from 'vite';
import { build, parseAst } from 'vite';
import { describe, expect, it, vi } from 'vitest';
import { clicktrace } from '../../src/vite/index.js';
import { countNativeAsync } from './native-async.js';

// The plugin's hooks, called the way Vite calls them.
const [helpers, lower] = clicktrace() as [Plugin, Plugin];

type Handler<T> = T extends { handler: infer H } ? H : T;
type TransformHandler = (this: unknown, code: string, id: string) => Promise<unknown>;
type ResolveHandler = (
  this: unknown,
  source: string,
  importer: string | undefined,
  options: object,
) => unknown;

function transform(code: string, id = '/app/src/main.ts', mode: 'dev' | 'build' = 'build') {
  const warn = vi.fn();
  const hook = lower.transform as { filter: { code: RegExp }; handler: Handler<TransformHandler> };
  const context = { warn, environment: { mode, depsOptimizer: { isOptimizedDepFile: () => false } } };
  const passesFilter = hook.filter.code.test(code);
  const run = async () =>
    passesFilter ? ((await hook.handler.call(context, code, id)) as { code: string } | null) : null;
  return { run, warn, passesFilter };
}

function resolveHelper(source: string, kind = 'import-statement'): unknown {
  const hook = helpers.resolveId as { filter: { id: RegExp }; handler: ResolveHandler };
  if (!hook.filter.id.test(source)) return null;
  return hook.handler.call({}, source, '/app/src/main.ts', { kind });
}

const asyncModule = `
export async function fetchAll(urls) { const out = []; for (const u of urls) out.push(await fetch(u)); return out; }
export const arrow = async (x) => { await x; return x?.y ?? 1; };
export class Store { async load() { await null; return this; } }
export async function* pages() { yield await Promise.resolve(1); }
export async function drain(source) { let n = 0; for await (const _ of source) n++; return n; }
`;

describe('clicktrace() transform', () => {
  it('lowers async functions, arrows, methods, async generators and for await', async () => {
    expect(countNativeAsync(parseAst(asyncModule))).toBeGreaterThanOrEqual(10);
    const { run, warn } = transform(asyncModule);
    const result = await run();
    expect(result).not.toBeNull();
    const code = result?.code ?? '';
    expect(countNativeAsync(parseAst(code))).toBe(0);
    expect(code).toContain('from "@oxc-project/runtime/helpers/asyncToGenerator"');
    expect(code).toContain('from "@oxc-project/runtime/helpers/wrapAsyncGenerator"');
    expect(code).toMatch(/function\s*\*/);
    expect(warn).not.toHaveBeenCalled();
  });

  it('returns a source map', async () => {
    const result = (await transform(asyncModule).run()) as { map?: { mappings: string } } | null;
    expect(result?.map?.mappings.length).toBeGreaterThan(0);
  });

  it('leaves a module without async untouched', async () => {
    const code = 'export const f = (o) => o?.a ?? new Promise((r) => setTimeout(r));\nclass A { #x = 1 }';
    const { run, passesFilter } = transform(code);
    expect(passesFilter).toBe(false);
    expect(await run()).toBeNull();
    // The handler checks too, for hosts that ignore hook filters.
    const hook = lower.transform as { handler: TransformHandler };
    expect(
      await hook.handler.call({ warn: vi.fn(), environment: { mode: 'build' } }, code, '/a.js'),
    ).toBeNull();
  });

  it('leaves zone.js, the helpers, Vite client, pre-bundled deps, styles and excluded modules alone', async () => {
    const skipped = [
      '/p/node_modules/zone.js/fesm2015/zone.js',
      '/p/node_modules/.pnpm/zone.js@0.16.3/node_modules/zone.js/fesm2015/zone.js',
      '/p/node_modules/@oxc-project/runtime/src/helpers/esm/asyncToGenerator.js',
      '/p/node_modules/vite/dist/client/client.mjs',
      '/p/node_modules/.vite/deps/some-dep.js?v=1234',
      '/p/src/App.vue?vue&type=style&index=0&lang.css',
      '/p/src/style.css',
      '/p/index.html?html-proxy&direct&index=0.css',
    ];
    for (const id of skipped) expect(await transform(asyncModule, id).run(), id).toBeNull();

    const [, excluding] = clicktrace({ exclude: [/keep-native/, /\/legacy\//g] }) as [Plugin, Plugin];
    const hook = excluding.transform as { handler: TransformHandler };
    const context = { warn: vi.fn(), environment: { mode: 'build' } };
    for (const id of ['/p/src/keep-native.ts', '/p/src/legacy/a.js', '/p/src/legacy/b.js']) {
      expect(await hook.handler.call(context, asyncModule, id), id).toBeNull();
    }
    expect(await hook.handler.call(context, asyncModule, '/p/src/other.ts')).not.toBeNull();
  });

  it('skips modules the dev dep optimizer produced, wherever its cache is', async () => {
    const hook = lower.transform as { handler: TransformHandler };
    const context = {
      warn: vi.fn(),
      environment: {
        mode: 'dev',
        depsOptimizer: { isOptimizedDepFile: (id: string) => id.startsWith('/cache/') },
      },
    };
    expect(await hook.handler.call(context, asyncModule, '/cache/deps/x.js')).toBeNull();
    expect(await hook.handler.call(context, asyncModule, '/p/src/x.ts')).not.toBeNull();
  });

  it('lowers Vue/Svelte script modules and inline HTML scripts', async () => {
    for (const id of [
      '/p/src/App.vue',
      '/p/src/App.vue?vue&type=script&setup=true&lang.ts',
      '/p/src/Counter.svelte',
      '/p/index.html?html-proxy&index=0.js',
      '\0virtual:routes',
    ]) {
      expect(await transform(asyncModule, id).run(), id).not.toBeNull();
    }
  });

  it('warns and returns the module untouched when oxc cannot parse it', async () => {
    const { run, warn } = transform('export async function broken( {', '/p/src/broken.js');
    expect(await run()).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/^could not lower async functions, left as is: .+/);
    expect(warn.mock.calls[0]?.[0]).not.toContain('\u001b');
  });
});

describe('clicktrace() helpers', () => {
  it('resolves oxc helpers from @clicktrace/web, ESM for import and CommonJS for require', () => {
    const esm = resolveHelper('@oxc-project/runtime/helpers/asyncToGenerator');
    expect(esm).toMatch(/@oxc-project[\\/]runtime[\\/]src[\\/]helpers[\\/]esm[\\/]asyncToGenerator\.js$/);
    expect(existsSync(esm as string)).toBe(true);
    const cjs = resolveHelper('@oxc-project/runtime/helpers/wrapAsyncGenerator', 'require-call');
    expect(cjs).toMatch(/[\\/]src[\\/]helpers[\\/]wrapAsyncGenerator\.js$/);
    expect(existsSync(cjs as string)).toBe(true);
  });

  it('leaves unknown helpers and other imports to Vite', () => {
    expect(resolveHelper('@oxc-project/runtime/helpers/noSuchHelper')).toBeNull();
    expect(resolveHelper('@oxc-project/runtime/package.json')).toBeNull();
    expect(resolveHelper('zone.js')).toBeNull();
  });
});

describe('clicktrace() config', () => {
  it('applies to client environments only, in serve and build', () => {
    for (const plugin of [helpers, lower]) {
      expect(plugin.apply).toBeUndefined();
      const applies = plugin.applyToEnvironment as (env: { config: { consumer: string } }) => boolean;
      expect(applies({ config: { consumer: 'client' } })).toBe(true);
      expect(applies({ config: { consumer: 'server' } })).toBe(false);
    }
    expect(helpers.enforce).toBe('pre');
    expect(lower.enforce).toBe('post');
  });

  it('has client dependencies pre-bundled at ES2016, and not SSR ones', () => {
    const hook = lower.configEnvironment as (name: string, config: object) => unknown;
    const lowered = { optimizeDeps: { rolldownOptions: { transform: { target: 'es2016' } } } };
    expect(hook('client', {})).toEqual(lowered);
    expect(hook('embedded', { consumer: 'client' })).toEqual(lowered);
    expect(hook('ssr', {})).toBeUndefined();
    expect(hook('edge', { consumer: 'server' })).toBeUndefined();
  });

  it('adds itself to the worker bundles, once', () => {
    const config = (lower.config as () => UserConfig)();
    const workerPlugins = config.worker?.plugins?.() as Plugin[];
    expect(workerPlugins.map((p) => p.name)).toEqual(['clicktrace:helpers', 'clicktrace:lower-async']);
    // The worker's copy does not add workers again.
    const workerLower = workerPlugins[1] as Plugin;
    expect((workerLower.config as () => unknown)()).toBeUndefined();
  });
});

describe('clicktrace() in vite build', () => {
  it('builds a module with top-level await: the TLA stays, its async function is lowered', async () => {
    const root = fileURLToPath(new URL('./fixtures/tla', import.meta.url));
    let resolved: ResolvedConfig | undefined;
    const output = await build({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [
        clicktrace(),
        {
          name: 'grab-config',
          configResolved: (c) => {
            resolved = c;
          },
        },
      ],
      build: { write: false, minify: false },
    });
    expect(resolved, 'configResolved ran').toBeDefined();
    expect(resolved?.build.target).not.toBe('es2016');
    const chunks = [output]
      .flat()
      .flatMap((o) => ('output' in o ? o.output : []))
      .filter((file) => file.type === 'chunk');
    const code = chunks.map((c) => c.code).join('\n');
    expect(code).toMatch(/^(?:const|let|var) config = await Promise\.resolve/m);
    expect(code).toMatch(/document\.body\.textContent = await greet\("world"\)/);
    expect(code).not.toMatch(/async function/);
    expect(code).toContain('function*');
  });

  it('lowers worker bundles too (the worker build has its own plugin list)', async () => {
    const workerCode = async (plugins: Plugin[][]) => {
      const output = await build({
        root: fileURLToPath(new URL('./fixtures/worker', import.meta.url)),
        configFile: false,
        logLevel: 'silent',
        plugins,
        build: { write: false, minify: false },
      });
      const files = [output].flat().flatMap((o) => ('output' in o ? o.output : []));
      const worker = files.find((file) => file.fileName.includes('worker'));
      expect(worker?.type).toBe('asset'); // bundled separately, emitted as an asset of the main build
      return worker?.type === 'asset' ? String(worker.source) : '';
    };
    expect(await workerCode([])).toMatch(/async function answer/);
    const lowered = await workerCode([clicktrace()]);
    expect(lowered).toMatch(/function answer/);
    expect(lowered).not.toMatch(/\basync\b\s*(?:function|\()|\bawait\b/);
  });
});

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { type EnvironmentOptions, type Plugin, transformWithOxc, type UserConfig } from 'vite';

/** Options of {@link clicktrace}. */
export interface ClicktracePluginOptions {
  /**
   * Modules to leave with native `async`/`await`, tested against the module id (its absolute
   * path, query included). Default: none.
   *
   * Why it exists: lowering is invisible to almost all code, but a module may depend on native
   * async functions (for example `fn.constructor.name === 'AsyncFunction'`), and zone.js cannot
   * follow the `await`s of the modules you exclude. Applies to your code in `vite dev` and to every
   * module in `vite build`; in `vite dev`, dependencies are lowered whole while Vite pre-bundles
   * them, so also list such a dependency in `optimizeDeps.exclude`.
   */
  exclude?: RegExp | readonly RegExp[];
}

// The one syntax change we are after needs ES2016 (async functions are ES2017). Everything newer
// is lowered too in the modules that use `async` (oxc has no async-only switch).
const TARGET = 'es2016';
const HAS_ASYNC = /\basync\b/;
// zone.js patches Promise and must run native; the helpers are what lowered code calls; Vite's
// client runs outside any interaction.
const NEVER_LOWER =
  /[\\/]node_modules[\\/](?:zone\.js|@oxc-project[\\/]runtime)[\\/]|[\\/]vite[\\/]dist[\\/]client[\\/]|^\/@vite\//;
// Pre-bundled dependencies (dev): already lowered by the optimizer (see configEnvironment).
const OPTIMIZED_DEP = /[\\/]node_modules[\\/]\.vite[\\/]/;
// Modules that are not JavaScript even after every transform (styles served as CSS, data).
const STYLE_OR_DATA = /\.(?:css|less|sass|scss|styl|stylus|pcss|postcss|sss|json|wasm|html?)$/;
const STYLE_QUERY = /(?:^|&)(?:direct|type=style)(?:&|=|$)/;
const HTML_PROXY = /(?:^|&)html-proxy(?:&|$)/;
const HELPER = /^@oxc-project\/runtime\/helpers\/(\w+)(?:\.js)?$/;
const PLUGIN_NAME = 'clicktrace';

/**
 * Vite plugin that lets zone.js, and so `@clicktrace/web`, follow every `await`: it lowers async
 * functions and async generators to generators driven by promises, in your code and in your
 * dependencies, in `vite dev` and in `vite build` (client environments only; workers too).
 *
 * @example
 * // vite.config.ts
 * import { clicktrace } from '@clicktrace/web/vite';
 * export default { plugins: [clicktrace()] };
 */
export function clicktrace(options: ClicktracePluginOptions = {}): Plugin[] {
  return createPlugins(options, false);
}

function createPlugins(options: ClicktracePluginOptions, inWorker: boolean): Plugin[] {
  const exclude = options.exclude === undefined ? [] : [options.exclude].flat();
  const isClient = (consumer: string | undefined, name: string): boolean =>
    (consumer ?? (name === 'client' ? 'client' : 'server')) === 'client';

  const helpers: Plugin = {
    // Lowered code imports oxc's helpers; resolve them from this package, so that the app does not
    // need @oxc-project/runtime itself (pnpm's strict layout), before Vite's resolver would queue
    // them for pre-bundling (a page reload in dev).
    name: `${PLUGIN_NAME}:helpers`,
    enforce: 'pre',
    applyToEnvironment: (environment) => environment.config.consumer === 'client',
    resolveId: {
      filter: { id: HELPER },
      handler(source, _importer, resolveOptions) {
        const name = HELPER.exec(source)?.[1];
        if (name === undefined) return null;
        // require() of a helper (lowered CommonJS dependencies, build only) gets the CJS build.
        const file = helperFile(name, resolveOptions.kind === 'require-call');
        return file !== undefined && existsSync(file) ? file : null;
      },
    },
  };

  const lower: Plugin = {
    // 'post': runs on plain JavaScript, after TypeScript/JSX are stripped (vite:oxc) and after
    // framework plugins (Vue, Svelte) have compiled their files, whatever the plugin order.
    name: `${PLUGIN_NAME}:lower-async`,
    enforce: 'post',
    applyToEnvironment: (environment) => environment.config.consumer === 'client',
    config(): UserConfig | undefined {
      // Worker bundles are built with their own plugin list: lower them too, as `vite dev` does.
      return inWorker ? undefined : { worker: { plugins: () => createPlugins(options, true) } };
    },
    configEnvironment(name, config): EnvironmentOptions | undefined {
      if (!isClient(config.consumer, name)) return undefined;
      // Dev: dependencies are pre-bundled by rolldown, which lowers them itself at this target.
      // Vite's dep cache hash covers this option, so adding or removing the plugin re-bundles.
      return { optimizeDeps: { rolldownOptions: { transform: { target: TARGET } } } };
    },
    transform: {
      filter: { code: HAS_ASYNC },
      async handler(code, id) {
        if (!HAS_ASYNC.test(code) || !shouldLower(id) || exclude.some((pattern) => matches(pattern, id)))
          return null;
        const environment = this.environment;
        if (environment.mode === 'dev' && environment.depsOptimizer?.isOptimizedDepFile(id) === true)
          return null;
        try {
          const result = await transformWithOxc(code, id, {
            lang: 'js',
            target: TARGET,
            sourcemap: true,
            tsconfig: false,
          });
          return { code: result.code, map: result.map ?? null };
        } catch (error) {
          // Never break the app: the module keeps native async (zone.js loses its awaits).
          this.warn(`could not lower async functions, left as is: ${firstError(error)}`);
          return null;
        }
      },
    },
  };

  return [helpers, lower];
}

function shouldLower(id: string): boolean {
  const queryStart = id.indexOf('?');
  const file = queryStart === -1 ? id : id.slice(0, queryStart);
  const query = queryStart === -1 ? '' : id.slice(queryStart + 1);
  if (NEVER_LOWER.test(file) || OPTIMIZED_DEP.test(file)) return false;
  if (STYLE_QUERY.test(query) || STYLE_OR_DATA.test(query)) return false;
  return !STYLE_OR_DATA.test(file) || HTML_PROXY.test(query);
}

function matches(pattern: RegExp, id: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
  return pattern.test(id);
}

let runtimeDir: string | undefined;

function helperFile(name: string, commonjs: boolean): string | undefined {
  try {
    runtimeDir ??= dirname(createRequire(import.meta.url).resolve('@oxc-project/runtime/package.json'));
  } catch {
    return undefined;
  }
  return join(runtimeDir, 'src', 'helpers', ...(commonjs ? [] : ['esm']), `${name}.js`);
}

function firstError(error: unknown): string {
  const errors = (error as { errors?: Array<{ message?: unknown }> } | null)?.errors;
  const message = errors?.[0]?.message ?? (error instanceof Error ? error.message : String(error));
  // oxc's messages carry ANSI colours and a code frame; the warning names the module already.
  return stripVTControlCharacters(String(message)).split('\n', 1)[0]?.trim() ?? '';
}

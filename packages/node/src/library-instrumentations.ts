import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { hookImportsOf } from './esm-library-hook.js';
import { HonoRoutesInstrumentation } from './hono/hono-routes-instrumentation.js';

/**
 * The client libraries traced with zero code, each by its stock contrib instrumentation. Each
 * instrumentation sits in a chunk of its own (`dist/libraries/<chunk>.js`), loaded only when the
 * app can resolve one of `modules`: the six together cost 30-50 ms of start-up when loaded
 * unconditionally (measured on Node 24), which an app without a database should not pay.
 *
 * `hookImports` names the specifiers whose `import` must be hooked for an ES module app to be
 * traced (esm-library-hook.ts): only those of a library patched in its package's main file. The
 * others are patched in files their main file require()s, which require-in-the-middle sees
 * whether the app imports or requires the library, and hooking them would only cost start-up time
 * (redis 6 +370 ms, pg +80 ms, mysql2 +65 ms measured on Node 24.21).
 */
export const LIBRARIES = [
  { chunk: 'pg', modules: ['pg'], instrumentationName: '@opentelemetry/instrumentation-pg' },
  { chunk: 'mysql2', modules: ['mysql2'], instrumentationName: '@opentelemetry/instrumentation-mysql2' },
  {
    chunk: 'ioredis',
    modules: ['ioredis'],
    instrumentationName: '@opentelemetry/instrumentation-ioredis',
    // Patched in its main file, which an ES module app imports without require().
    hookImports: ['ioredis'],
  },
  {
    chunk: 'redis',
    modules: ['redis', '@redis/client'],
    instrumentationName: '@opentelemetry/instrumentation-redis',
  },
  { chunk: 'mongodb', modules: ['mongodb'], instrumentationName: '@opentelemetry/instrumentation-mongodb' },
  { chunk: 'amqplib', modules: ['amqplib'], instrumentationName: '@opentelemetry/instrumentation-amqplib' },
] as const;

/**
 * A client library by its short name, as `OTEL_NODE_ENABLED_INSTRUMENTATIONS` and
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` name the stock instrumentations.
 */
export type LibraryName = (typeof LIBRARIES)[number]['chunk'];

/** Which of the client libraries to trace: all the app has (default), none, or these. */
export type LibrariesOption = boolean | readonly LibraryName[];

/** What each chunk under src/libraries/ exports. */
export interface LibraryChunkModule {
  createInstrumentation(): Instrumentation;
}

const requireHere = createRequire(import.meta.url);

/**
 * The instrumentations of the client libraries this app has (and Hono's route names, when it has
 * Hono), leaving out any whose name is in
 * `alreadyHave` (a user's own NodeSDK may list them, configured as they want) and any that
 * `libraries` or the environment turns off, with `import` of those libraries hooked so that an ES
 * module app is traced as a CommonJS one is. Never throws: a chunk that fails to load is skipped
 * with a warning.
 */
export function createLibraryInstrumentations(
  alreadyHave: ReadonlySet<string> = new Set(),
  libraries: LibrariesOption = true,
): Instrumentation[] {
  // Run from source (this package's own unit tests), the chunks are TypeScript next to this file
  // that Node cannot require; the built package is what loads them, and its tests spawn it.
  if (import.meta.url.endsWith('.ts')) return [];
  const wanted = librariesWanted(libraries);
  const instrumentations: Instrumentation[] = [];
  const imported: string[] = [];
  for (const library of LIBRARIES) {
    if (!wanted.has(library.chunk) || alreadyHave.has(library.instrumentationName)) continue;
    if (!library.modules.some(isInstalled)) continue;
    try {
      // A chunk is an ES module without top-level await: require() loads it synchronously (Node
      // >= 22.12), so the patches are in before the app's own code requires the library.
      const chunk = requireHere(`./libraries/${library.chunk}.js`) as LibraryChunkModule;
      instrumentations.push(chunk.createInstrumentation());
      if ('hookImports' in library) imported.push(...library.hookImports);
      diag.debug(`@clicktrace/node: ${library.chunk} is traced by ${library.instrumentationName}`);
    } catch (error) {
      diag.warn(
        `@clicktrace/node: could not load the ${library.chunk} instrumentation; its calls go untraced`,
        error,
      );
    }
  }
  // Hono's route names (hono/hono-routes-instrumentation.ts): part of the server spans, as Express's
  // and Fastify's are, so `libraries` does not turn them off; but the hook replaces the app's Hono
  // class and costs start-up time, so `OTEL_NODE_DISABLED_INSTRUMENTATIONS=hono` leaves it out
  // (honoRoutes() still names routes then). Its import is hooked with the libraries', as there is
  // one hook per process.
  if (isInstalled('hono') && !namesFromEnv('OTEL_NODE_DISABLED_INSTRUMENTATIONS')?.has('hono')) {
    try {
      instrumentations.push(new HonoRoutesInstrumentation());
      imported.push('hono');
    } catch (error) {
      diag.warn('@clicktrace/node: could not hook hono; its spans are named by method only', error);
    }
  }
  hookImportsOf(imported);
  return instrumentations;
}

/**
 * The libraries to trace: the option's (`false` none, a list those), then, as for the stock
 * auto-instrumentations, `OTEL_NODE_ENABLED_INSTRUMENTATIONS` keeps only those it lists and
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` leaves out those it lists (short names: `pg`, `amqplib`).
 */
function librariesWanted(libraries: LibrariesOption): Set<string> {
  const all: string[] = LIBRARIES.map((library) => library.chunk);
  let wanted = new Set<string>(libraries === false ? [] : Array.isArray(libraries) ? libraries : all);
  const enabled = namesFromEnv('OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  if (enabled !== undefined) wanted = new Set([...wanted].filter((name) => enabled.has(name)));
  for (const name of namesFromEnv('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []) wanted.delete(name);
  for (const name of Array.isArray(libraries) ? libraries : []) {
    if (!all.includes(name))
      diag.warn(`@clicktrace/node: libraries: unknown library "${name}" (known: ${all.join(', ')})`);
  }
  return wanted;
}

function namesFromEnv(name: string): Set<string> | undefined {
  const value = process.env[name]?.trim();
  if (!value) return undefined;
  return new Set(
    value
      .split(',')
      .map((it) => it.trim())
      .filter(Boolean),
  );
}

/**
 * Whether the app can load `module`: resolved from the working directory and from the main
 * script's folder, as the app's own `require`/`import` would find it from either in practice.
 */
function isInstalled(module: string): boolean {
  const from = [process.cwd()];
  // argv[1] may be relative (or not a path at all, with -e): made absolute against the cwd.
  if (process.argv[1]) from.push(dirname(resolve(process.argv[1])));
  for (const folder of from) {
    for (const request of [module, `${module}/package.json`]) {
      try {
        createRequire(join(folder, 'noop.js')).resolve(request);
        return true;
      } catch {
        // not from here: try the next way in
      }
    }
  }
  return false;
}

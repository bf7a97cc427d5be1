import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { hookImportsOf } from './esm-library-hook.js';

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

export type LibraryChunk = (typeof LIBRARIES)[number]['chunk'];

/** What each chunk under src/libraries/ exports. */
export interface LibraryChunkModule {
  createInstrumentation(): Instrumentation;
}

const requireHere = createRequire(import.meta.url);

/**
 * The instrumentations of the client libraries this app has, leaving out any whose name is in
 * `alreadyHave` (a user's own NodeSDK may list them, configured as they want), with `import` of
 * those libraries hooked so that an ES module app is traced as a CommonJS one is. Never throws: a
 * chunk that fails to load is skipped with a warning.
 */
export function createLibraryInstrumentations(
  alreadyHave: ReadonlySet<string> = new Set(),
): Instrumentation[] {
  // Run from source (this package's own unit tests), the chunks are TypeScript next to this file
  // that Node cannot require; the built package is what loads them, and its tests spawn it.
  if (import.meta.url.endsWith('.ts')) return [];
  const instrumentations: Instrumentation[] = [];
  const imported: string[] = [];
  for (const library of LIBRARIES) {
    if (alreadyHave.has(library.instrumentationName)) continue;
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
  hookImportsOf(imported);
  return instrumentations;
}

/**
 * Whether the app can load `module`: resolved from the working directory and from the main
 * script's folder, as the app's own `require`/`import` would find it from either in practice.
 */
function isInstalled(module: string): boolean {
  const from = [join(process.cwd(), 'noop.js')];
  if (process.argv[1]) from.push(join(dirname(process.argv[1]), 'noop.js'));
  for (const path of from) {
    const resolve = createRequire(path).resolve;
    for (const request of [module, `${module}/package.json`]) {
      try {
        resolve(request);
        return true;
      } catch {
        // not from here: try the next way in
      }
    }
  }
  return false;
}

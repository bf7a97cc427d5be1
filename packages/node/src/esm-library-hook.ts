import { createRequire, register } from 'node:module';
import { diag } from '@opentelemetry/api';

/**
 * Makes `import` of the client libraries patchable, as `require` of them already is.
 *
 * The stock instrumentations patch a library when it is loaded: through require-in-the-middle,
 * which sees `require()` only, and through import-in-the-middle, which sees `import` only once its
 * loader hook is registered. An ES module app that imports a CommonJS library gets the library's
 * main file from Node's ESM loader, never through `require()`: a library patched in its main file
 * (ioredis) then goes untraced, while one patched in the files its main requires (pg, mongodb)
 * is traced.
 *
 * So import-in-the-middle's hook is registered here, once per process, and only for the libraries
 * the app has: `include` limits the wrapping to exactly those specifiers, and every other module
 * of the app loads untouched. Where Node can run it (22.22.3+, 24.11.1+, 25.1+), the hook is the
 * synchronous, in-thread `module.registerHooks` one; on older Node, the off-thread
 * `module.register` one. A process with none of the libraries never loads import-in-the-middle's
 * loader at all.
 */
export function hookImportsOf(modules: readonly string[]): void {
  if (modules.length === 0) return;
  const holder = globalThis as { [HOOKED]?: Set<string> };
  const hooked = holder[HOOKED];
  if (hooked !== undefined) {
    // One hook per process: a second SDK copy (or call) adding libraries cannot widen it.
    const missing = modules.filter((module) => !hooked.has(module));
    if (missing.length > 0) {
      diag.debug(
        `@clicktrace/node: imports of ${missing.join(', ')} are not hooked (hook already registered)`,
      );
    }
    return;
  }
  holder[HOOKED] = new Set(modules);
  try {
    // register-hooks.mjs is an ES module without top-level await: require() loads it synchronously,
    // so the hook is in place before the app's first import is resolved.
    const iitm = requireHere('import-in-the-middle/register-hooks.mjs') as RegisterHooksModule;
    if (iitm.supportsSyncHooks()) {
      iitm.register({ include: [...modules] });
    } else {
      register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: [...modules] } });
    }
  } catch (error) {
    diag.warn(
      `@clicktrace/node: could not hook imports of ${modules.join(', ')}; they are traced when required, not when imported`,
      error,
    );
  }
}

const HOOKED = Symbol.for('clicktrace.node.esm-library-hook');

const requireHere = createRequire(import.meta.url);

interface RegisterHooksModule {
  supportsSyncHooks(): boolean;
  register(options: { include: string[] }): void;
}

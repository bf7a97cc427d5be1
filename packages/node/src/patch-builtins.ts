import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The stock http instrumentation patches `node:http`/`node:https` from a require() hook, and an
 * ES module's `import … from 'node:http'` never calls require(). So we require them ourselves
 * (the hook patches the one shared exports object, including `Server.prototype.emit`), then
 * `syncBuiltinESMExports()` copies the patched `request`/`get` into the ESM named exports, which
 * are live bindings. That covers default and named imports alike, even ones already evaluated
 * before startTracing() ran, with no ESM loader hook.
 */
export function patchBuiltins(): void {
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();
}

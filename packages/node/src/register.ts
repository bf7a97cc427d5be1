/**
 * `node --import @clicktrace/node/register app.js` (or `--require` for CommonJS apps): tracing
 * configured from OTEL_* environment variables only, before the app's first line runs.
 *
 * No general ESM loader hook (`module.register('@opentelemetry/instrumentation/hook.mjs')`) is
 * registered: startTracing() patches node:http/https for ES modules itself (see patch-builtins.ts)
 * and fetch is traced through undici's diagnostics channels, so the app's modules load untouched.
 * The exceptions are a client library patched in its package's main file (ioredis) and Hono (whose
 * `Hono` export is subclassed to name routes): when the app has them, import-in-the-middle's hook is
 * registered for those specifiers alone (esm-library-hook.ts).
 */
import { shutdownOnSignal } from './shutdown-on-signal.js';
import { startTracing } from './start-tracing.js';

shutdownOnSignal(startTracing());

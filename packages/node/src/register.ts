/**
 * `node --import @clicktrace/node/register app.js` (or `--require` for CommonJS apps): tracing
 * configured from OTEL_* environment variables only, before the app's first line runs.
 *
 * No ESM loader hook (`module.register('@opentelemetry/instrumentation/hook.mjs')`) is needed:
 * startTracing() patches node:http/https for ES modules itself (see patch-builtins.ts) and fetch
 * is traced through undici's diagnostics channels, so the app's modules load untouched.
 */
import { shutdownOnSignal } from './shutdown-on-signal.js';
import { startTracing } from './start-tracing.js';

shutdownOnSignal(startTracing());

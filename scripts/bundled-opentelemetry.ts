import type { TsdownPlugin } from 'tsdown';

/**
 * @clicktrace/web and @clicktrace/node bundle the OpenTelemetry SDK code they use, everything but
 * @opentelemetry/api. The SDK 3 packages declare a peer `@opentelemetry/api` >=1.10 (and
 * context-zone-peer-dep one <1.10), so installed beside a user's API they would leave an invalid
 * peer in one project or another; bundled, only our own peer range (api 1.9 and 1.10) reaches the
 * user's install, and one tested set of SDK versions ships with each release.
 */
export const BUNDLED_OPENTELEMETRY = /^@opentelemetry\/(?!api$)/;

/**
 * Private workspace packages that exist only as source shared by @clicktrace/web and
 * @clicktrace/node: never published, so their code must travel inside each bundle.
 */
export const BUNDLED_WORKSPACE = /^@clicktrace\/export-queue$/;

/**
 * What @opentelemetry/api 1.9.1 exports (Object.keys of its CommonJS build). Bundled code may import
 * these by name; anything newer is read from the namespace below, and a bundled import of a name
 * in neither list fails the build instead of failing to link in a user's process.
 */
const API_1_9_NAMES = [
  'DiagConsoleLogger',
  'DiagLogLevel',
  'INVALID_SPANID',
  'INVALID_SPAN_CONTEXT',
  'INVALID_TRACEID',
  'ProxyTracer',
  'ProxyTracerProvider',
  'ROOT_CONTEXT',
  'SamplingDecision',
  'SpanKind',
  'SpanStatusCode',
  'TraceFlags',
  'ValueType',
  'baggageEntryMetadataFromString',
  'context',
  'createContextKey',
  'createNoopMeter',
  'createTraceState',
  'defaultTextMapGetter',
  'defaultTextMapSetter',
  'diag',
  'isSpanContextValid',
  'isValidSpanId',
  'isValidTraceId',
  'metrics',
  'propagation',
  'trace',
] as const;

const API = '@opentelemetry/api';
const BUNDLED_CODE = /[\\/]node_modules[\\/].*(?<!\.d\.[cm]?ts)$/;
const COMPAT = '\0clicktrace:opentelemetry-api';

/**
 * Lets the bundled SDK 3 code run on @opentelemetry/api 1.9 (a project still on OpenTelemetry JS 2)
 * as well as on 1.10.
 *
 * The instrumentation base class of 0.30x calls `logs.getLogger()`, and `logs` is new in api 1.10:
 * a named `import { logs }` from api 1.9 fails to link, so the whole process would not start. Every
 * import of the API from bundled code goes through this module instead: the names api 1.9 has are
 * re-exported as they are (so the output keeps plain named imports), and the 1.10-only ones
 * (`logs`, `SeverityNumber`, `createNoopLogger`) are read from the namespace, with `logs` falling
 * back to what api 1.10 itself hands out when no logger provider is registered: loggers that drop
 * every record. The module has no side effects, so what nothing uses is left out of the bundle.
 */
export function apiCompat(): TsdownPlugin {
  return {
    name: 'clicktrace:opentelemetry-api-compat',
    resolveId: {
      order: 'pre',
      handler(source, importer) {
        // Only the bundled packages' JavaScript: our own sources import names api 1.9 has, and the
        // declaration files (the dts build runs these plugins too) must keep importing the API's types.
        const fromBundledCode = importer !== undefined && BUNDLED_CODE.test(importer);
        return source === API && fromBundledCode ? COMPAT : null;
      },
    },
    load(id) {
      if (id !== COMPAT) return null;
      const code = [
        `export { ${API_1_9_NAMES.join(', ')} } from '${API}';`,
        `import * as api from '${API}';`,
        'const NOOP_LOGGER = { emit() {}, enabled() { return false; } };',
        'const NOOP_LOGGER_PROVIDER = { getLogger: () => NOOP_LOGGER };',
        'const NOOP_LOGS = { getLogger: () => NOOP_LOGGER, getLoggerProvider: () => NOOP_LOGGER_PROVIDER,',
        '  setGlobalLoggerProvider: () => false, disable() {} };',
        'export const logs = api.logs ?? NOOP_LOGS;',
        'export const SeverityNumber = api.SeverityNumber;',
        'export const createNoopLogger = api.createNoopLogger ?? (() => NOOP_LOGGER);',
      ].join('\n');
      return { code, moduleSideEffects: false };
    },
  };
}

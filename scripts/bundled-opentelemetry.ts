import { createRequire } from 'node:module';
import type { TsdownPlugin } from 'tsdown';

/**
 * @clicktrace/web and @clicktrace/node bundle the OpenTelemetry SDK code they use, everything but
 * @opentelemetry/api. The SDK 3 packages declare a peer `@opentelemetry/api` >=1.10 (and
 * context-zone-peer-dep one <1.10), so installed beside a user's API they would leave an invalid
 * peer in one project or another; bundled, only our own peer range (api 1.9 and 1.10) reaches the
 * user's install, and one tested set of SDK versions ships with each release.
 */
export const BUNDLED_OPENTELEMETRY = /^@opentelemetry\/(?!api$)/;

/** Exported by @opentelemetry/api 1.10 and not by 1.9 (measured: Object.keys of both packages). */
const API_1_10_ONLY = ['logs', 'SeverityNumber', 'createNoopLogger'] as const;

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
 * re-exported as they are (so the output keeps plain named imports), and the 1.10-only ones are
 * read from the namespace, with `logs` falling back to what api 1.10 itself hands out when no
 * logger provider is registered: loggers that drop every record.
 *
 * `packageUrl` (the config's `import.meta.url`) is where the API's names are read from: the
 * package being built, whose devDependencies hold the API.
 */
export function apiCompat(packageUrl: string): TsdownPlugin {
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
      const api = createRequire(packageUrl)(API) as Record<string, unknown>;
      const shared = Object.keys(api).filter(
        (name) => name !== 'default' && !(API_1_10_ONLY as readonly string[]).includes(name),
      );
      return [
        `export { ${shared.join(', ')} } from '${API}';`,
        `import * as api from '${API}';`,
        'const NOOP_LOGGER = { emit() {}, enabled() { return false; } };',
        'const NOOP_LOGGER_PROVIDER = { getLogger: () => NOOP_LOGGER };',
        'const NOOP_LOGS = { getLogger: () => NOOP_LOGGER, getLoggerProvider: () => NOOP_LOGGER_PROVIDER,',
        '  setGlobalLoggerProvider: () => false, disable() {} };',
        'export const logs = api.logs ?? NOOP_LOGS;',
        'export const SeverityNumber = api.SeverityNumber;',
        'export const createNoopLogger = api.createNoopLogger ?? (() => NOOP_LOGGER);',
      ].join('\n');
    },
  };
}

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PlaywrightTestConfig } from '@playwright/test';
import { defineConfig as playwrightDefineConfig } from '@playwright/test';
import { freePort } from './free-port.js';

type WebServerConfig = NonNullable<Extract<PlaywrightTestConfig['webServer'], { command: string }>>;

/** Environment variable that carries the collector's URL from the runner to its workers. */
export const COLLECTOR_URL_ENV = 'CLICKTRACE_COLLECTOR_URL';

/**
 * How long the test's collector lets a request wait for its server's span before it calls that
 * server not traced: the servers defineConfig starts export every 100 ms, so 2 s is plenty and
 * leaves a failing test's 10 s wait time to see the verdict.
 */
export const COLLECTOR_SETTLE_MS = 2_000;

/**
 * A drop-in for Playwright's `defineConfig` that starts the clicktrace collector before the
 * config's own `webServer` commands and points them at it: each gets `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * and `OTEL_SERVICE_NAME` (its `name`) and a short `OTEL_BSP_SCHEDULE_DELAY` where they are unset.
 *
 * @example
 * export default defineConfig({
 *   webServer: [{ command: 'node --import @clicktrace/node/register api.js', port: 3001 }],
 * });
 */
export function defineConfig(config: PlaywrightTestConfig = {}): PlaywrightTestConfig {
  const collectorUrl = collectorUrlForRun();
  const collector: WebServerConfig = {
    name: 'clicktrace collector',
    command: `"${process.execPath}" "${collectorBin()}" --port ${new URL(collectorUrl).port} --settle-ms ${COLLECTOR_SETTLE_MS}`,
    url: `${collectorUrl}/health`,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 2000 },
  };
  const own = config.webServer === undefined ? [] : [config.webServer].flat();
  const webServer = [collector, ...own.map((server) => withTelemetryEnv(server, collectorUrl))];
  return playwrightDefineConfig({ ...config, webServer });
}

/** One collector URL per test run: chosen by the runner, inherited by workers through the environment. */
function collectorUrlForRun(): string {
  const url = process.env[COLLECTOR_URL_ENV] ?? `http://127.0.0.1:${freePort('CLICKTRACE_COLLECTOR_PORT')}`;
  process.env[COLLECTOR_URL_ENV] = url;
  return url;
}

function withTelemetryEnv(server: WebServerConfig, collectorUrl: string): WebServerConfig {
  const env: Record<string, string> = { ...server.env };
  const inherited = (key: string): boolean => env[key] !== undefined || process.env[key] !== undefined;
  if (!inherited('OTEL_EXPORTER_OTLP_ENDPOINT') && !inherited('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = collectorUrl;
  }
  if (!inherited('OTEL_SERVICE_NAME') && server.name) env.OTEL_SERVICE_NAME = server.name;
  // Spans should reach the collector while the test still waits for them, not 5 s later.
  if (!inherited('OTEL_BSP_SCHEDULE_DELAY')) env.OTEL_BSP_SCHEDULE_DELAY = '100';
  return { ...server, env };
}

function collectorBin(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve('@clicktrace/collector/package.json')),
    'bin',
    'clicktrace-collector.js',
  );
}

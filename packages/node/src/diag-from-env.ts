import { DiagConsoleLogger, diag } from '@opentelemetry/api';
import { diagLogLevelFromString, getStringFromEnv } from '@opentelemetry/core';

/**
 * Installs a console diag logger when `OTEL_LOG_LEVEL` is set, as the OpenTelemetry NodeSDK
 * does. Left unset, the host app's own diag logger (if any) stays in place and we stay quiet.
 * Runs first so warnings about the other variables are seen.
 */
export function diagFromEnv(): void {
  const logLevel = diagLogLevelFromString(getStringFromEnv('OTEL_LOG_LEVEL')?.trim());
  if (logLevel === undefined) return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel, suppressOverrideMessage: true });
}

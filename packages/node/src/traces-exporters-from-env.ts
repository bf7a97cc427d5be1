import { diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';

/** The exporters OTEL_TRACES_EXPORTER may name here. */
export type TracesExporterName = 'otlp' | 'console';

const SUPPORTED: readonly TracesExporterName[] = ['otlp', 'console'];

/**
 * OTEL_TRACES_EXPORTER, as the specification and NodeSDK read it: a comma-separated list, `otlp`
 * when unset; `none` alone means no exporter (spans are still made and ended, for the app's own
 * use, but sent nowhere). `none` beside others is ignored, and names this package does not ship
 * (`zipkin`, `jaeger`) are left out, each with a warning; a list left empty falls back to `otlp`.
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#exporter-selection
 */
export function tracesExportersFromEnv(): TracesExporterName[] {
  const value = getStringFromEnv('OTEL_TRACES_EXPORTER');
  if (value === undefined) return ['otlp'];
  const names = [
    ...new Set(
      value
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== ''),
    ),
  ];
  if (names.length === 1 && names[0] === 'none') return [];
  const chosen: TracesExporterName[] = [];
  for (const name of names) {
    const supported = SUPPORTED.find((known) => known === name);
    if (supported !== undefined) chosen.push(supported);
    else if (name === 'none')
      diag.warn('@clicktrace/node: OTEL_TRACES_EXPORTER lists "none" beside others; ignoring "none"');
    else diag.warn(`@clicktrace/node: OTEL_TRACES_EXPORTER="${name}" is not supported (otlp, console, none)`);
  }
  if (chosen.length > 0) return chosen;
  diag.warn('@clicktrace/node: OTEL_TRACES_EXPORTER names no supported exporter; using "otlp"');
  return ['otlp'];
}

import { diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import type { NodeTracingOptions, OtlpProtocol } from './types.js';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

/** The spec's default: https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specify-protocol */
const DEFAULT_PROTOCOL: OtlpProtocol = 'http/protobuf';

/**
 * Resolves the options this package decides itself. Everything else (endpoint from env,
 * headers, timeout, compression, sampler, batch sizes, resource attributes) is read by the
 * stock OpenTelemetry packages, so it is deliberately not re-read here.
 *
 * `endpoint` from code is checked here because the stock exporter throws on a bad URL given in
 * code (it only warns for a bad URL from env): a bad value warns and falls back to env/default.
 */
export function resolveOptions(
  options: NodeTracingOptions,
): Required<Pick<NodeTracingOptions, 'protocol'>> & NodeTracingOptions {
  return {
    serviceName: nonEmpty(options.serviceName, 'serviceName'),
    endpoint: validUrl(options.endpoint),
    protocol: resolveProtocol(options.protocol),
  };
}

function resolveProtocol(fromCode: string | undefined): OtlpProtocol {
  if (fromCode !== undefined) return checkProtocol(fromCode, 'protocol');
  const name = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const fromEnv = getStringFromEnv(name);
  return fromEnv === undefined ? DEFAULT_PROTOCOL : checkProtocol(fromEnv.trim(), name);
}

function checkProtocol(value: string, source: string): OtlpProtocol {
  const known = PROTOCOLS.find((protocol) => protocol === value);
  if (known) return known;
  // 'grpc' is a valid spec value, but this package ships only the HTTP exporters.
  diag.warn(`@clicktrace/node: ${source}="${value}" is not supported, using "${DEFAULT_PROTOCOL}"`);
  return DEFAULT_PROTOCOL;
}

function nonEmpty(value: string | undefined, source: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  diag.warn(`@clicktrace/node: ${source} must be a non-empty string, ignoring it`);
  return undefined;
}

function validUrl(value: string | undefined): string | undefined {
  if (nonEmpty(value, 'endpoint') === undefined) return undefined;
  try {
    return new URL(value as string).href;
  } catch {
    diag.warn(`@clicktrace/node: endpoint "${value}" is not a URL, using the environment or the default`);
    return undefined;
  }
}

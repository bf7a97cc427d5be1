import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { tracesExportersFromEnv } from '../src/traces-exporters-from-env.js';
import { captureWarnings } from './capture-warnings.js';

afterEach(() => {
  delete process.env.OTEL_TRACES_EXPORTER;
  diag.disable();
});

describe('tracesExportersFromEnv (OTEL_TRACES_EXPORTER)', () => {
  it.each([
    [undefined, ['otlp']],
    ['otlp', ['otlp']],
    [' OTLP , console ', ['otlp', 'console']],
    ['console,console', ['console']],
    ['none', []],
  ])('reads %j as %j', (value, expected) => {
    if (value !== undefined) process.env.OTEL_TRACES_EXPORTER = value;
    expect(tracesExportersFromEnv()).toEqual(expected);
  });

  it.each([
    ['none,console', ['console'], '"none" beside others'],
    ['zipkin', ['otlp'], '"zipkin" is not supported'],
    ['zipkin,console', ['console'], '"zipkin" is not supported'],
  ])('reads %j as %j, with a warning', (value, expected, warning) => {
    process.env.OTEL_TRACES_EXPORTER = value;
    const warnings = captureWarnings();
    expect(tracesExportersFromEnv()).toEqual(expected);
    expect(warnings.join('\n')).toContain(warning);
  });
});

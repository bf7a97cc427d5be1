import { afterAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options-from-env.js';
import { startTracing } from '../src/start-tracing.js';
import { captureWarnings } from './capture-warnings.js';

describe('startTracing()', () => {
  // Port 9 (discard) on loopback: nothing is exported, and nothing leaves the machine.
  const first = startTracing({ serviceName: 'unit', endpoint: 'http://127.0.0.1:9/v1/traces' });
  afterAll(() => first.shutdown());

  it('warns and returns the first instance when called again', () => {
    const warnings = captureWarnings();
    expect(startTracing({ serviceName: 'other' })).toBe(first);
    expect(warnings.join('\n')).toContain('already called');
  });

  it('never rejects from flush or shutdown, and shutdown is idempotent', async () => {
    await expect(first.flush()).resolves.toBeUndefined();
    await expect(Promise.all([first.shutdown(), first.shutdown()])).resolves.toEqual([undefined, undefined]);
  });
});

describe('resolveOptions()', () => {
  it('warns about a malformed endpoint and leaves it to the environment or the default', () => {
    const warnings = captureWarnings();
    expect(resolveOptions({ endpoint: 'not a url' }).endpoint).toBeUndefined();
    expect(warnings.join('\n')).toContain('endpoint "not a url" is not a URL');
  });

  it('prefers OTEL_EXPORTER_OTLP_TRACES_PROTOCOL over OTEL_EXPORTER_OTLP_PROTOCOL, code over both', () => {
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/json';
    try {
      expect(resolveOptions({}).protocol).toBe('http/json');
      expect(resolveOptions({ protocol: 'http/protobuf' }).protocol).toBe('http/protobuf');
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
      delete process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL;
    }
  });

  it('defaults to http/protobuf, as the specification does', () => {
    expect(resolveOptions({}).protocol).toBe('http/protobuf');
  });

  it('ignores an empty serviceName with a warning', () => {
    const warnings = captureWarnings();
    expect(resolveOptions({ serviceName: '  ' }).serviceName).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});

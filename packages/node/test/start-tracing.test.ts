import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options-from-env.js';
import { startTracing } from '../src/start-tracing.js';
import type { NodeTracing } from '../src/types.js';
import { captureWarnings } from './capture-warnings.js';

describe('startTracing()', () => {
  // A real collector that refuses every export (400: not retried), so each flush really fails.
  let refused = 0;
  const collector = createServer((request, response) => {
    refused++;
    request.resume().on('end', () => response.writeHead(400).end());
  });
  let first: NodeTracing;
  beforeAll(async () => {
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const { port } = collector.address() as AddressInfo;
    first = startTracing({
      serviceName: 'unit',
      endpoint: `http://127.0.0.1:${port}/v1/traces`,
      protocol: 'http/json',
    });
  });
  afterAll(async () => {
    await first.shutdown();
    collector.close();
  });

  it('warns and returns the first instance when called again', () => {
    const warnings = captureWarnings();
    expect(startTracing({ serviceName: 'other' })).toBe(first);
    expect(warnings.join('\n')).toContain('already called');
  });

  it('never rejects from flush or shutdown when the export fails, and shutdown is idempotent', async () => {
    const warnings = captureWarnings();
    trace.getTracer('unit').startSpan('queued before flush').end();
    await expect(first.flush()).resolves.toBeUndefined();
    expect(refused, 'the flush exported, and was refused').toBe(1);
    // A 400 is final: the export queue drops the batch and says so, rather than failing the flush.
    expect(warnings.join('\n')).toContain('the collector refused 1 spans; dropped them');

    trace.getTracer('unit').startSpan('queued before shutdown').end();
    await expect(Promise.all([first.shutdown(), first.shutdown()])).resolves.toEqual([undefined, undefined]);
    expect(refused, 'the shutdown exported once, and was refused').toBe(2);
    expect(warnings.join('\n').match(/the collector refused \d+ spans; dropped them/g)).toHaveLength(2);
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

import { decodeOtlpProtobuf } from '@clicktrace/collector';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpProtobufRequestExporter } from '../src/otlp-protobuf-exporter.js';
import { ProtobufBatchSpanProcessor } from '../src/protobuf-batch-span-processor.js';
import { type Recorder, startRecorder, waitFor } from './recorder.js';

// Our OTLP/protobuf batch processor, in this process, exporting through the stock transport to a
// real HTTP receiver on 127.0.0.1.

let receiver: Recorder | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function setUp({
  maxExportBatchSize = 512,
  scheduledDelayMillis = 600_000, // only a full batch, a flush or the shutdown sends
  maxBytes = 32 * 1024 * 1024,
  resource = resourceFromAttributes({ 'service.name': 'shop-api' }) as Resource,
} = {}) {
  receiver = await startRecorder();
  const processor = new ProtobufBatchSpanProcessor({
    exporter: new OtlpProtobufRequestExporter({ url: `${receiver.url}/v1/traces` }),
    batch: { maxExportBatchSize, scheduledDelayMillis },
    queue: { maxSpans: 32_768, maxBytes },
  });
  const provider = new TracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('@clicktrace/node', '0.4.0');
  const recorder = receiver;
  return {
    processor,
    provider,
    endSpans(count: number, attributes: Record<string, string> = {}) {
      for (let i = 0; i < count; i++)
        tracer.startSpan(`span ${i}`, { kind: SpanKind.SERVER, attributes }).end();
    },
    /** The bodies received so far, each decoded. */
    requests() {
      return recorder.requests
        .filter((request) => request.path === '/v1/traces')
        .map((request) => ({ headers: request.headers, spans: decodeOtlpProtobuf(request.body) }));
    },
  };
}

describe('ProtobufBatchSpanProcessor', () => {
  it('sends a protobuf request each time a batch is full, every span once', async () => {
    const { endSpans, requests, provider } = await setUp({ maxExportBatchSize: 3 });
    endSpans(7);
    const full = await waitFor(() => (requests().length === 2 ? requests() : undefined), 'two full batches');
    expect(full.map((request) => request.spans.length)).toEqual([3, 3]);
    expect(full[0]?.headers['content-type']).toBe('application/x-protobuf');

    await provider.forceFlush();
    const all = requests().flatMap((request) => request.spans.map((span) => span.name));
    expect(all.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `span ${i}`).sort());
    expect(requests().at(-1)?.spans[0]).toMatchObject({ serviceName: 'shop-api', kind: 'SERVER' });
    await provider.shutdown();
  });

  it('sends what it holds when the schedule delay is up', async () => {
    const { endSpans, requests, provider } = await setUp({ scheduledDelayMillis: 20 });
    endSpans(2);
    const [request] = await waitFor(
      () => (requests().length > 0 ? requests() : undefined),
      'a scheduled export',
    );
    expect(request?.spans).toHaveLength(2);
    await provider.shutdown();
  });

  it('cuts a batch into requests of at most 4 MiB, what collectors take', async () => {
    const { endSpans, requests, provider } = await setUp({ maxExportBatchSize: 4096 });
    endSpans(3_000, { 'db.query.text': 'x'.repeat(2_000) }); // about 2 kB each, 6 MB in all
    await provider.forceFlush();
    const sent = requests();
    expect(sent.length).toBe(2);
    expect(sent.reduce((sum, request) => sum + request.spans.length, 0)).toBe(3_000);
    for (const body of receiverBodies()) expect(body.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    await provider.shutdown();
  });

  it('waits for a resource still detecting attributes, and sends them', async () => {
    let resolveRegion: (region: string) => void = () => {};
    const region = new Promise<string>((resolve) => {
      resolveRegion = resolve;
    });
    const resource = resourceFromAttributes({
      'service.name': 'shop-api',
      'cloud.region': region,
    }) as Resource;
    const { endSpans, requests, provider } = await setUp({ maxExportBatchSize: 1, resource });
    endSpans(1);
    const flushed = provider.forceFlush();
    expect(requests()).toEqual([]);
    resolveRegion('eu-west-3');
    await flushed;
    expect(requests()[0]?.spans[0]?.resource['cloud.region']).toBe('eu-west-3');
    await provider.shutdown();
  });

  it('sends no span that was not sampled, and none after shutdown', async () => {
    const { processor, endSpans, requests, provider } = await setUp();
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    provider.getTracer('x').startSpan('not sampled', {}, unsampled).end();
    endSpans(1);
    await provider.shutdown();
    expect(requests().flatMap((request) => request.spans.map((span) => span.name))).toEqual(['span 0']);

    endSpans(1);
    await processor.forceFlush();
    expect(requests()).toHaveLength(1);
  });
});

function receiverBodies(): Buffer[] {
  return (receiver?.requests ?? []).filter((request) => request.path === '/v1/traces').map((r) => r.body);
}

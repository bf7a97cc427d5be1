import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateSpanBytes } from '../src/estimate-span-bytes.js';
import { sendOutcomeOf } from '../src/export-result-outcome.js';
import { RetryAfterWatch } from '../src/retry-after-watch.js';

// What the stock exporter's final ExportResult looks like for each way a collector can fail, from
// the real stock exporter against real servers on 127.0.0.1, and how the export queue reads it.

let servers: Server[] = [];
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  servers = [];
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
}

/** A URL with nothing listening: a port that was free a moment ago. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}/v1/traces`;
}

/** The spans `record` ends, from a real TracerProvider. */
function endedSpans(
  record: (tracer: Tracer) => void = (tracer) => tracer.startSpan('one').end(),
): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const provider = new TracerProvider({
    spanProcessors: [
      {
        onStart() {},
        onEnd: (span) => spans.push(span),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  record(provider.getTracer('unit'));
  return spans;
}

/**
 * One export with the stock exporter, with the Retry-After watch on as the queue runs it. 200 ms
 * of timeout: its first retry would wait about 1 s, so it gives up after one request, as it does
 * once its 10 s are spent.
 */
async function stockExport(url: string) {
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: 200 });
  const watch = new RetryAfterWatch();
  watch.start();
  const result = await new Promise<Parameters<Parameters<OTLPTraceExporter['export']>[1]>[0]>((resolve) =>
    exporter.export(endedSpans(), resolve),
  );
  const retryAfterMs = watch.stop();
  await exporter.shutdown();
  return { result, retryAfterMs };
}

/** What the queue makes of one stock export to `url`: its result and what the watch read. */
async function outcomeOf(url: string) {
  const { result, retryAfterMs } = await stockExport(url);
  return sendOutcomeOf(result, retryAfterMs);
}

describe('sendOutcomeOf(the stock exporter result)', () => {
  it('a refused connection (nothing listening) is retryable', async () => {
    const outcome = await outcomeOf(await refusingUrl());
    expect(outcome).toMatchObject({ ok: false, retryable: true, error: { code: 'ECONNREFUSED' } });
    // A Retry-After read earlier in the same export (a 503, then the collector went away) is stale.
    const { result } = await stockExport(await refusingUrl());
    expect(sendOutcomeOf(result, 30_000)).not.toHaveProperty('retryAfterMs');
  });

  it('a cut connection is retryable', async () => {
    const url = await serve((request) => request.socket.destroy());
    expect(await outcomeOf(url)).toMatchObject({ ok: false, retryable: true });
  });

  it('a collector that does not answer in time is retryable', async () => {
    const url = await serve(() => {});
    const outcome = await outcomeOf(url);
    expect(outcome).toMatchObject({ ok: false, retryable: true, error: { message: 'Request timed out' } });
  });

  it('503 (and 429, 502, 504) is retryable, with the Retry-After the watch read', async () => {
    const url = await serve((request, response) => {
      request.resume().on('end', () => response.writeHead(503, { 'retry-after': '30' }).end());
    });
    const outcome = await outcomeOf(url);
    // The stock error says only that the status was retryable: no status, no Retry-After.
    expect(outcome).toMatchObject({ ok: false, retryable: true, retryAfterMs: 30_000 });
    expect(outcome).toMatchObject({ error: { name: 'OTLPExporterError', code: undefined } });
  });

  it('400 is final: the collector refused the batch itself', async () => {
    const url = await serve((request, response) => {
      request.resume().on('end', () => response.writeHead(400).end('bad spans'));
    });
    const { result } = await stockExport(url);
    // Even with a Retry-After in hand, a refusal is final.
    const outcome = sendOutcomeOf(result, 30_000);
    expect(outcome).toMatchObject({ ok: false, retryable: false, error: { code: 400, data: 'bad spans' } });
    expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it('success is ok', async () => {
    const url = await serve((request, response) => {
      request
        .resume()
        .on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    expect(await outcomeOf(url)).toEqual({ ok: true });
  });

  it('an error the stock exporter never retries (a bad certificate, a serializer error) is final', () => {
    const certificate = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(sendOutcomeOf({ code: 1, error: certificate }, undefined)).toMatchObject({ retryable: false });
    expect(sendOutcomeOf({ code: 1, error: new Error('Nothing to send') }, undefined)).toMatchObject({
      retryable: false,
    });
  });
});

describe('estimateSpanBytes()', () => {
  it('counts 200 bytes of fixed fields plus the strings and values the span carries', () => {
    const [bare] = endedSpans() as [ReadableSpan];
    expect(estimateSpanBytes(bare)).toBe(200 + 'one'.length);

    const [full] = endedSpans((tracer) => {
      const span = tracer.startSpan('GET', {
        attributes: { 'url.path': '/a/b', 'http.response.status_code': 200 },
      });
      span.addEvent('retry', { attempt: 2 });
      span.end();
    }) as [ReadableSpan];
    const attributes = 20 + 'url.path'.length + '/a/b'.length + (20 + 'http.response.status_code'.length + 8);
    const event = 50 + 'retry'.length + (20 + 'attempt'.length + 8);
    expect(estimateSpanBytes(full)).toBe(200 + 'GET'.length + attributes + event);
  });
});

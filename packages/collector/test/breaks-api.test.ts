/**
 * The breaks API over real OTLP: spans made by the OpenTelemetry SDK, posted by the stock
 * exporters, diagnosed by a running collector.
 */
import {
  type Attributes,
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector, type TraceBreak } from '../src/index.js';
import { createExporter, type Encoding } from './sample-trace.js';

let collector: Collector;
beforeEach(async () => {
  collector = await startCollector({ port: 0, settleMs: 0 });
});
afterEach(async () => {
  await collector.close();
});

/** A tracer of one service whose spans go to the collector through the stock exporter. */
function service(name: string, encoding: Encoding, language = 'nodejs') {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': name, 'telemetry.sdk.language': language }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter: createExporter({ url: `${collector.url}/v1/traces`, encoding }) }),
    ],
  });
  const tracer = provider.getTracer('breaks-test');
  return {
    start(spanName: string, kind: SpanKind, attributes: Attributes, parent?: Span, links: Link[] = []): Span {
      const parentContext = parent ? trace.setSpan(context.active(), parent) : ROOT_CONTEXT;
      return tracer.startSpan(spanName, { kind, attributes, links }, parentContext);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${collector.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe.each<Encoding>(['json', 'protobuf'])('GET /api/breaks (%s)', (encoding) => {
  it('names the break between a click and a server that got no headers, in every API answer', async () => {
    const web = service('shop-web', encoding, 'webjs');
    const api = service('shop-api', encoding);
    const click = web.start('click', SpanKind.INTERNAL, { 'clicktrace.event.type': 'click' });
    const request = web.start(
      'POST',
      SpanKind.CLIENT,
      {
        'http.request.method': 'POST',
        'url.full': 'http://127.0.0.1:3001/api/checkout',
        'clicktrace.trace_headers.sent': true,
        'clicktrace.trace_headers.names': ['traceparent'],
      },
      click,
    );
    const server = api.start('POST /api/checkout', SpanKind.SERVER, {
      'http.request.method': 'POST',
      'url.path': '/api/checkout',
      'clicktrace.trace_headers.received': [],
      'clicktrace.trace_headers.extracts': ['traceparent', 'tracestate'],
      'clicktrace.trace_headers.outcome': 'started',
    });
    server.end();
    request.setAttribute('http.response.status_code', 200);
    request.end();
    click.end();
    await Promise.all([web.flush(), api.flush()]);

    const { breaks } = await getJson<{ breaks: TraceBreak[] }>('/api/breaks');
    const webTrace = click.spanContext().traceId;
    const apiTrace = server.spanContext().traceId;
    expect(breaks).toEqual([
      {
        id: `header-stripped:${request.spanContext().spanId}:${server.spanContext().spanId}`,
        kind: 'header-stripped',
        category: 'propagation',
        from: {
          traceId: webTrace,
          spanId: request.spanContext().spanId,
          name: 'POST',
          serviceName: 'shop-web',
        },
        to: {
          traceId: apiTrace,
          spanId: server.spanContext().spanId,
          name: 'POST /api/checkout',
          serviceName: 'shop-api',
        },
        timeUnixNano: expect.stringMatching(/^\d+$/),
        summary:
          'POST http://127.0.0.1:3001/api/checkout carried traceparent, but shop-api received none: something between them removed the headers.',
        fix: 'let traceparent through whatever is between shop-web and shop-api (proxy, gateway, CDN)',
      },
    ]);
    // Both traces take part, and say so.
    for (const traceId of [webTrace, apiTrace]) {
      expect((await getJson<{ breaks: TraceBreak[] }>(`/api/traces/${traceId}`)).breaks).toEqual(breaks);
    }
    const { traces } = await getJson<{ traces: { traceId: string; breakCount?: number }[] }>('/api/traces');
    expect(
      traces
        .map(({ traceId, breakCount }) => ({ traceId, breakCount }))
        .sort((a, b) => (a.traceId < b.traceId ? -1 : 1)),
    ).toEqual([webTrace, apiTrace].sort().map((traceId) => ({ traceId, breakCount: 1 })));
    await Promise.all([web.shutdown(), api.shutdown()]);
  });

  it('shows no break for a connected trace, nor for one still missing its server span', async () => {
    await collector.close();
    collector = await startCollector({ port: 0, settleMs: 60_000 });
    const web = service('shop-web', encoding, 'webjs');
    const api = service('shop-api', encoding);
    const click = web.start('click', SpanKind.INTERNAL, { 'clicktrace.event.type': 'click' });
    const attributes = {
      'http.request.method': 'GET',
      'url.full': 'http://127.0.0.1:3001/api/items',
      'http.response.status_code': 200,
      'clicktrace.trace_headers.sent': true,
    };
    const connected = web.start('GET', SpanKind.CLIENT, attributes, click);
    api
      .start(
        'GET /api/items',
        SpanKind.SERVER,
        { 'http.request.method': 'GET', 'url.path': '/api/items' },
        connected,
      )
      .end();
    const waiting = web.start('GET', SpanKind.CLIENT, attributes, click);
    connected.end();
    waiting.end();
    click.end();
    await Promise.all([web.flush(), api.flush()]);
    expect(collector.store.size).toBe(4);
    expect(await getJson('/api/breaks')).toEqual({ breaks: [] });
    await Promise.all([web.shutdown(), api.shutdown()]);
  });
});

describe('owners: POST /v1/traces?owner= and GET /api/traces?owner=', () => {
  it("lists only the traces an owner sent, and nobody's for an unknown owner", async () => {
    const body = (letters: string[]) =>
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [] },
            scopeSpans: [
              {
                scope: { name: 't' },
                spans: letters.map((letter, index) => ({
                  traceId: letter.repeat(32),
                  spanId: `${index + 1}`.padStart(16, '0'),
                  name: letter,
                  kind: 1,
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                })),
              },
            ],
          },
        ],
      });
    const post = (query: string, letters: string[]) =>
      fetch(`${collector.url}/v1/traces${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(letters),
      });
    expect((await post('?owner=test-1', ['a', 'b'])).status).toBe(200);
    expect((await post('?owner=test-2', ['c'])).status).toBe(200);
    expect((await post('', ['d'])).status).toBe(200);
    // Not an owner id: stored, owned by nobody.
    expect((await post('?owner=%3Cscript%3E', ['e'])).status).toBe(200);
    const ids = async (query: string) =>
      (await getJson<{ traces: { traceId: string }[] }>(`/api/traces${query}`)).traces
        .map((summary) => summary.traceId[0])
        .sort();
    expect(await ids('?owner=test-1')).toEqual(['a', 'b']);
    expect(await ids('?owner=test-2')).toEqual(['c']);
    expect(await ids('?owner=nobody')).toEqual([]);
    expect(await ids('?owner=%3Cscript%3E')).toEqual([]);
    expect(await ids('')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

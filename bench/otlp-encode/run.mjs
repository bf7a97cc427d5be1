// The OTLP/protobuf encoder of @clicktrace/node (packages/node/src/otlp-protobuf-spans.ts, read as
// TypeScript by Node 24's type stripping) beside the stock ProtobufTraceSerializer of
// @opentelemetry/otlp-transformer 0.301, on the same ended SDK spans: 4096 server spans of 14
// attributes each (those clicktrace's server spans carry), and the same spans with a 2 kB SQL
// attribute. Checks first that both give the same bytes. Alternates the two, ROUNDS times, each
// round encoding the batch REPEAT times; prints the median µs per span.
//
//   cd bench && node otlp-encode/run.mjs        # Node 24 first on PATH; ROUNDS (10), REPEAT (20)
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { encodeOtlpSpans } from '../../packages/node/src/otlp-protobuf-spans.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const REPEAT = Number(process.env.REPEAT ?? 20);

function serverSpans(extra = {}) {
  const ended = [];
  const provider = new TracerProvider({
    spanProcessors: [
      {
        onStart() {},
        onEnd: (span) => ended.push(span),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  const tracer = provider.getTracer('@clicktrace/node', '0.4.0');
  const caller = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  });
  for (let i = 0; i < 4096; i++) {
    const span = tracer.startSpan(
      'GET',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': `/api/items/${i % 100}`,
          'url.scheme': 'http',
          'network.protocol.version': '1.1',
          'server.address': '127.0.0.1',
          'server.port': 3000,
          'client.address': '127.0.0.1',
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
          'clicktrace.trace_headers.received': ['traceparent'],
          'clicktrace.trace_headers.extracts': ['traceparent', 'tracestate', 'baggage'],
          'clicktrace.trace_headers.propagator': 'tracecontext',
          'clicktrace.trace_headers.outcome': 'continued',
          ...extra,
        },
      },
      caller,
    );
    span.setAttribute('http.response.status_code', 200);
    span.setAttribute('http.route', '/api/items/:id');
    span.updateName('GET /api/items/:id');
    span.end();
  }
  return ended;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

for (const [label, spans] of [
  ['server spans (14 attributes)', serverSpans()],
  ['with a 2 kB db.query.text each', serverSpans({ 'db.query.text': `SELECT ${'x, '.repeat(680)}1` })],
]) {
  const ours = Buffer.from(encodeOtlpSpans(spans));
  const stock = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
  if (!ours.equals(stock)) throw new Error(`${label}: the two encodings differ`);
  const times = { stock: [], clicktrace: [] };
  const encoders = { stock: (s) => ProtobufTraceSerializer.serializeRequest(s), clicktrace: encodeOtlpSpans };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const name of round % 2 ? ['stock', 'clicktrace'] : ['clicktrace', 'stock']) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < REPEAT; i++) encoders[name](spans);
      const perSpan = Number(process.hrtime.bigint() - started) / 1000 / REPEAT / spans.length;
      if (round > 0) times[name].push(perSpan); // round 0 warms up
    }
  }
  const [s, c] = [median(times.stock), median(times.clicktrace)];
  process.stdout.write(
    `${label}, ${(ours.length / spans.length).toFixed(0)} bytes per span, same bytes: stock ${s.toFixed(2)} µs/span, clicktrace ${c.toFixed(2)} µs/span (${(s / c).toFixed(1)}x)\n`,
  );
}

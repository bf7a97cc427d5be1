// The collector's ingest rate, in spans per second, for OTLP JSON and protobuf bodies made by the
// stock serializers (@opentelemetry/otlp-transformer 0.301, what the stock exporters send), with
// and without the break diagnosis asked for after every batch (GET /api/breaks, a live viewer at
// its busiest). The collector runs in its own process (its CLI); this process only posts.
//
//   cd bench && node collector-ingest/run.mjs      # ROUNDS (5), BATCHES (200), BATCH (500)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BATCHES = Number(process.env.BATCHES ?? 200);
const BATCH = Number(process.env.BATCH ?? 500);
/** One click: interaction, two requests, their server spans, an outgoing call and its server. */
const SPANS_PER_CLICK = 7;

function provider(service, language) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'telemetry.sdk.language': language }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { tracer: tracerProvider.getTracer('bench'), exporter };
}

/** `clicks` click-shaped traces; one in twenty has its server restart (a header-stripped break). */
function makeSpans(clicks) {
  const web = provider('shop-web', 'webjs');
  const api = provider('shop-api', 'nodejs');
  const under = (span) => trace.setSpan(ROOT_CONTEXT, span);
  for (let i = 0; i < clicks; i++) {
    const click = web.tracer.startSpan(
      'click button "Checkout"',
      {
        attributes: { 'clicktrace.event.type': 'click', 'clicktrace.target.tag': 'button' },
      },
      ROOT_CONTEXT,
    );
    for (const path of ['/api/checkout', '/api/items']) {
      const request = web.tracer.startSpan(
        'POST',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'http.request.method': 'POST',
            'url.full': `http://127.0.0.1:3001${path}`,
            'http.response.status_code': 200,
            'clicktrace.trace_headers.sent': true,
            'clicktrace.trace_headers.names': ['traceparent'],
          },
        },
        under(click),
      );
      const broken = i % 20 === 0 && path === '/api/checkout';
      const server = api.tracer.startSpan(
        `POST ${path}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': 'POST',
            'url.path': path,
            'http.response.status_code': 200,
            'clicktrace.trace_headers.received': broken ? [] : ['traceparent'],
            'clicktrace.trace_headers.extracts': ['traceparent', 'tracestate', 'baggage'],
            'clicktrace.trace_headers.outcome': broken ? 'started' : 'continued',
          },
        },
        broken ? ROOT_CONTEXT : under(request),
      );
      if (path === '/api/checkout') {
        const call = api.tracer.startSpan(
          'POST',
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'http.request.method': 'POST',
              'url.full': 'http://127.0.0.1:3001/api/inventory/reserve',
              'http.response.status_code': 200,
            },
          },
          under(server),
        );
        api.tracer
          .startSpan(
            'POST /api/inventory/reserve',
            {
              kind: SpanKind.SERVER,
              attributes: { 'http.request.method': 'POST', 'url.path': '/api/inventory/reserve' },
            },
            under(call),
          )
          .end();
        call.end();
      }
      server.end();
      request.end();
    }
    click.end();
  }
  return [...web.exporter.getFinishedSpans(), ...api.exporter.getFinishedSpans()];
}

function bodies(serializer) {
  const clicksPerBatch = Math.ceil(BATCH / SPANS_PER_CLICK);
  const out = [];
  for (let i = 0; i < BATCHES; i++) {
    const spans = makeSpans(clicksPerBatch);
    if (spans.length !== clicksPerBatch * SPANS_PER_CLICK) throw new Error(`made ${spans.length} spans`);
    out.push(serializer.serializeRequest(spans));
  }
  return { out, spans: clicksPerBatch * SPANS_PER_CLICK * BATCHES };
}

async function startCollectorProcess() {
  const require = createRequire(import.meta.url);
  const bin = join(
    dirname(require.resolve('@clicktrace/collector/package.json')),
    'bin',
    'clicktrace-collector.js',
  );
  const child = spawn(process.execPath, [bin, '--port', '0', '--max-spans', String(BATCHES * BATCH * 2)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout) {
    output += chunk;
    const match = /listening on (http:\/\/\S+) /.exec(output);
    if (match) return { url: match[1], child };
  }
  throw new Error(`the collector did not start: ${output}`);
}

async function round(encoding, payload, diagnose) {
  const { url, child } = await startCollectorProcess();
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const started = process.hrtime.bigint();
  let breaks = 0;
  for (const body of payload.out) {
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    if (!response.ok) throw new Error(`POST answered ${response.status}`);
    await response.arrayBuffer();
    if (diagnose) breaks = (await (await fetch(`${url}/api/breaks`)).json()).breaks.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // One more diagnosis over everything, timed alone: the cost of a viewer's first look.
  const before = process.hrtime.bigint();
  const final = (await (await fetch(`${url}/api/breaks`)).json()).breaks.length;
  const oneDiagnosisMs = Number(process.hrtime.bigint() - before) / 1e6;
  child.kill('SIGTERM');
  await once(child, 'exit');
  return { spansPerSecond: payload.spans / seconds, breaks: diagnose ? breaks : final, oneDiagnosisMs };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const rows = [];
for (const [encoding, serializer] of [
  ['json', JsonTraceSerializer],
  ['protobuf', ProtobufTraceSerializer],
]) {
  const payload = bodies(serializer);
  const results = { off: [], on: [], diagnosisMs: [] };
  let breaks = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // Alternated, so a drift of the machine's speed hits both alike.
    for (const diagnose of i % 2 === 0 ? [false, true] : [true, false]) {
      const result = await round(encoding, payload, diagnose);
      results[diagnose ? 'on' : 'off'].push(result.spansPerSecond);
      if (!diagnose) results.diagnosisMs.push(result.oneDiagnosisMs);
      breaks = result.breaks;
    }
  }
  rows.push({
    encoding,
    spans: payload.spans,
    off: median(results.off),
    on: median(results.on),
    diagnosisMs: median(results.diagnosisMs),
    breaks,
  });
}

const lines = [
  `${ROUNDS} rounds, ${BATCHES} batches of ~${BATCH} spans, Node ${process.version}`,
  '',
  '| body | spans per round | ingest only (spans/s) | diagnosis after every batch (spans/s) | ratio | one diagnosis of all spans (ms) | breaks found |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.encoding} | ${row.spans.toLocaleString('en')} | ${Math.round(row.off).toLocaleString('en')} | ${Math.round(row.on).toLocaleString('en')} | ${(row.on / row.off).toFixed(2)} | ${row.diagnosisMs.toFixed(1)} | ${row.breaks} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);

// The collector's ingest rate, in spans per second, for OTLP JSON and protobuf bodies made by the
// stock serializers (@opentelemetry/otlp-transformer 0.301, what the stock exporters send). The
// diagnosis runs when breaks are asked for (GET /api/breaks, or a viewer's look), so three ways:
// nobody asks; a live viewer asks every second; someone asks after every batch (the worst case).
// The collector runs in its own process (its CLI, with --settle-ms 0 so that every verdict is due
// at once: the diagnosis does all its work on every look); this process only posts, one batch at
// a time.
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
const MODES = ['off', 'viewer', 'every-batch'];
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
  const child = spawn(
    process.execPath,
    [bin, '--port', '0', '--max-spans', String(BATCHES * BATCH * 2), '--settle-ms', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  for await (const chunk of child.stdout) {
    output += chunk;
    const match = /listening on (http:\/\/\S+) /.exec(output);
    if (match) return { url: match[1], child };
  }
  throw new Error(`the collector did not start: ${output}`);
}

async function round(encoding, payload, mode) {
  const { url, child } = await startCollectorProcess();
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const askForBreaks = async () => (await (await fetch(`${url}/api/breaks`)).json()).breaks.length;
  let viewer;
  let looking = Promise.resolve();
  if (mode === 'viewer') {
    viewer = setInterval(() => {
      looking = looking.then(askForBreaks);
    }, 1_000);
  }
  const started = process.hrtime.bigint();
  for (const body of payload.out) {
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    if (!response.ok) throw new Error(`POST answered ${response.status}`);
    await response.arrayBuffer();
    if (mode === 'every-batch') await askForBreaks();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(viewer);
  await looking;
  // One more look over everything, timed alone: what a viewer's first look costs (a fresh
  // diagnosis when nobody asked before, else the cached answer).
  const before = process.hrtime.bigint();
  const breaks = await askForBreaks();
  const lookMs = Number(process.hrtime.bigint() - before) / 1e6;
  child.kill('SIGTERM');
  await once(child, 'exit');
  return { spansPerSecond: payload.spans / seconds, breaks, lookMs };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const rows = [];
for (const [encoding, serializer] of [
  ['json', JsonTraceSerializer],
  ['protobuf', ProtobufTraceSerializer],
]) {
  const payload = bodies(serializer);
  const rates = Object.fromEntries(MODES.map((mode) => [mode, []]));
  const firstLookMs = [];
  let breaks = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // Rotated, so a drift of the machine's speed hits every mode alike.
    for (const mode of [...MODES.slice(i % MODES.length), ...MODES.slice(0, i % MODES.length)]) {
      const result = await round(encoding, payload, mode);
      rates[mode].push(result.spansPerSecond);
      if (mode === 'off') firstLookMs.push(result.lookMs);
      breaks = result.breaks;
    }
  }
  rows.push({
    encoding,
    spans: payload.spans,
    ...Object.fromEntries(MODES.map((mode) => [mode, median(rates[mode])])),
    firstLookMs: median(firstLookMs),
    breaks,
  });
}

const rate = (value) => Math.round(value).toLocaleString('en');
const lines = [
  `${ROUNDS} rounds, ${BATCHES} batches of ~${BATCH} spans, Node ${process.version}`,
  '',
  '| body | spans per round | nobody asks (spans/s) | viewer asks every 1 s (spans/s) | asked after every batch (spans/s) | first look at all spans (ms) | breaks found |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.encoding} | ${row.spans.toLocaleString('en')} | ${rate(row.off)} | ${rate(row.viewer)} (${(row.viewer / row.off).toFixed(2)}) | ${rate(row['every-batch'])} (${(row['every-batch'] / row.off).toFixed(2)}) | ${row.firstLookMs.toFixed(0)} | ${row.breaks} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);

// A server traced by the stock OpenTelemetry SDK that ignores trace headers: it starts every
// SERVER span itself, from the root context, without extracting the caller's traceparent (as an
// app with hand-made server spans does). Its CORS allows the trace headers. PORT, and the
// standard OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_SERVICE_NAME.
import { createServer } from 'node:http';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'plain-api' }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 100 })],
});
const tracer = provider.getTracer('plain-otel-api');

createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://lab').pathname;
  response.setHeader('access-control-allow-origin', request.headers.origin ?? '*');
  if (request.method === 'OPTIONS') {
    response
      .writeHead(204, { 'access-control-allow-headers': 'traceparent, tracestate, content-type' })
      .end();
    return;
  }
  const span = tracer.startSpan(
    `${request.method} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method ?? 'GET', 'url.path': path },
    },
    ROOT_CONTEXT,
  );
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  span.setAttribute('http.response.status_code', 200);
  span.end();
}).listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => {
  void provider.shutdown().finally(() => process.exit(0));
});

import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanKind, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
const collected = [];
const p = new TracerProvider({ spanProcessors: [{ onStart() {}, onEnd(s) { collected.push(s); }, forceFlush: async () => {}, shutdown: async () => {} }] });
const t = p.getTracer('@clicktrace/node', '0.1.0');
const R = ['traceparent'], E = ['traceparent', 'tracestate', 'baggage'];
const mk = () => ({ 'http.request.method': 'GET', 'url.path': '/api/items/7', 'url.scheme': 'http', 'network.protocol.version': '1.1', 'server.address': '127.0.0.1', 'server.port': 3000, 'client.address': '127.0.0.1', 'user_agent.original': 'autocannon', 'clicktrace.trace_headers.received': R, 'clicktrace.trace_headers.extracts': E, 'clicktrace.trace_headers.propagator': 'tracecontext', 'clicktrace.trace_headers.outcome': 'continued' });
const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb', traceFlags: 1, isRemote: true });
for (let i = 0; i < 512; i++) { const s = t.startSpan('GET', { kind: SpanKind.SERVER, attributes: mk() }, parent); s.setAttribute('http.response.status_code', 200); s.setAttribute('http.route', '/api/items/:id'); s.updateName('GET /api/items/:id'); s.end(); }
await new Promise((r) => setTimeout(r, 200));
const spans = collected;
function bench(name, fn) { for (let i = 0; i < 200; i++) fn(); const n = 2000; const s = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); console.log(name, (Number(process.hrtime.bigint() - s) / n / spans.length).toFixed(0), 'ns/span'); }
const out = ProtobufTraceSerializer.serializeRequest(spans);
console.log('spans', spans.length, 'bytes/span', out.length / spans.length);
bench('stock protobuf', () => ProtobufTraceSerializer.serializeRequest(spans));
export { spans };

// The OTLP receiver of the server benchmarks (node-throughput, database-queries), in its own
// process. During a round it only keeps each export's raw body and answers 200, so decoding does
// not compete for the 2 cores with the server under test (a real deployment decodes on another
// machine). Asked for counts after the round, it decodes every body it kept with
// @clicktrace/collector's OTLP decoders and answers, per service.name, the number of spans by
// "KIND name", so "every span exported" is checked span by span.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpJson, decodeOtlpProtobuf } from '@clicktrace/collector';

const bodies = [];
const services = new Map();

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    bodies.push({
      type: request.headers['content-type'] ?? '',
      gzip: request.headers['content-encoding'] === 'gzip',
      body: Buffer.concat(chunks),
    });
    // An empty ExportTraceServiceResponse is a full success in both encodings.
    const json = request.headers['content-type']?.includes('json');
    response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    response.end(json ? '{}' : undefined);
  });
});
server.keepAliveTimeout = 60_000;

function decodePending() {
  for (const { type, gzip, body } of bodies.splice(0)) {
    const bytes = gzip ? gunzipSync(body) : body;
    const spans = type.includes('json')
      ? decodeOtlpJson(JSON.parse(bytes.toString('utf8')))
      : decodeOtlpProtobuf(bytes);
    for (const span of spans) {
      if (!services.has(span.serviceName)) services.set(span.serviceName, {});
      const names = services.get(span.serviceName);
      const key = `${span.kind} ${span.name}`;
      names[key] = (names[key] ?? 0) + 1;
    }
  }
}

process.on('message', (message) => {
  if (message !== 'counts') return;
  decodePending();
  process.send?.(Object.fromEntries(services));
});
server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${server.address().port}` }));

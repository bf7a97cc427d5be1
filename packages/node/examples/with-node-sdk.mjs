import { createServer } from 'node:http';
import { withClicktrace } from '@clicktrace/node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';

// Your NodeSDK as you configure it, with clicktrace merged in: its exporter (here from
// OTEL_EXPORTER_OTLP_ENDPOINT), processors and instrumentations stay yours.
const sdk = new NodeSDK(
  withClicktrace({ serviceName: 'shop-api', instrumentations: [getNodeAutoInstrumentations()] }),
);
sdk.start();

// Your server, unchanged: one SERVER span per request, continuing the browser's traceparent.
const server = createServer((request, response) => response.end(`hello from ${request.url}`));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

const response = await fetch(`http://127.0.0.1:${port}/hello`);
console.log(await response.text());

server.close();
await sdk.shutdown(); // exports the spans still queued

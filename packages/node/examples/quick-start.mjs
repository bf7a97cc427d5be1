import { createServer } from 'node:http';
import { startTracing } from '@clicktrace/node';

const tracing = startTracing({ serviceName: 'shop-api', endpoint: 'http://127.0.0.1:4318/v1/traces' });

// Your server, unchanged: every request it serves becomes a SERVER span.
const server = createServer((request, response) => response.end(`hello from ${request.url}`));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

// One request to it. fetch is traced too: a CLIENT span, the parent of the server's span.
const response = await fetch(`http://127.0.0.1:${port}/hello`);
console.log(await response.text());

server.close();
await tracing.shutdown(); // exports the spans still queued

// The start-up case without a database library: the same kind of ES module app on node:http with
// no pg and no ioredis. run.mjs copies it into a temporary folder where neither resolves, so
// `@clicktrace/node/register` finds no client library and loads none of its library chunks.
import { createServer } from 'node:http';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));

process.on('SIGTERM', () => {
  process.stdout.write('served 0\n');
  server.close();
  server.closeAllConnections();
});

// The API under test: a small JSON API on node:http, written as a user would, with no tracing
// code. It counts the requests it served and prints the count on SIGTERM, then closes and lets
// the process end by itself, so whatever tracing setup is loaded gets to flush its spans first.
import { createServer } from 'node:http';

const items = Array.from({ length: 20 }, (_, id) => ({ id, name: `item ${id}`, price: 100 + id }));
let served = 0;

const server = createServer((req, res) => {
  served++;
  const match = /^\/api\/items\/(\d+)$/.exec(req.url ?? '');
  const item = match ? items[Number(match[1]) % items.length] : undefined;
  const body = JSON.stringify(item ? { item } : { items: items.slice(0, 5) });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));

process.on('SIGTERM', () => {
  process.stdout.write(`served ${served}\n`);
  server.close();
  server.closeAllConnections();
});

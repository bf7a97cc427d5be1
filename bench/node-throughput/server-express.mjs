// The same small JSON API as server.mjs, on Express 5 (a router mounted at /api), as the issue's
// stock figure was measured on an Express app. No tracing code; prints its request count on SIGTERM.
import express from 'express';

const items = Array.from({ length: 20 }, (_, id) => ({ id, name: `item ${id}`, price: 100 + id }));
let served = 0;

const api = express.Router();
api.get('/items/:id', (req, res) => {
  res.json({ item: items[Number(req.params.id) % items.length] });
});
api.get('/items', (_req, res) => {
  res.json({ items: items.slice(0, 5) });
});

const app = express();
app.use((_req, _res, next) => {
  served++;
  next();
});
app.use('/api', api);

const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
server.keepAliveTimeout = 60_000;

process.on('SIGTERM', () => {
  process.stdout.write(`served ${served}\n`);
  server.close();
  server.closeAllConnections();
});

// The API under test: one route on node:http that reads an item from PostgreSQL with a
// parameterized query and its stock count from Redis with one GET, written as a user would, as
// an ES module, with no tracing code. DATABASE_URL and REDIS_URL say where; the pool and the
// Redis client are made at load (ioredis connects at once, the pool on the first query). Prints
// its port once listening, and on SIGTERM how many requests it served; then it stops listening,
// lets the requests in flight finish (a load generator that stops may leave some behind), closes
// its pool and Redis connection after the last one and lets the process end by itself, so a
// tracing setup can flush its spans first.
import { createServer } from 'node:http';
import Redis from 'ioredis';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const redis = new Redis(process.env.REDIS_URL);
let served = 0;
let inFlight = 0;
let closing = false;
let clientsEnded = false;
redis.on('error', (error) => {
  if (!closing) process.stderr.write(`redis: ${error.message}\n`);
});

function endClientsWhenIdle() {
  if (!closing || inFlight > 0 || clientsEnded) return;
  clientsEnded = true;
  pool.end().catch(() => {});
  redis.quit().catch(() => {});
}

const server = createServer(async (req, res) => {
  served++;
  const match = /^\/api\/items\/(\d+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  inFlight++;
  try {
    const id = Number(match[1]);
    const { rows } = await pool.query('SELECT id, name, price FROM items WHERE id = $1', [id]);
    const stock = await redis.get(`stock:${id}`);
    const body = JSON.stringify({ item: rows[0], stock: Number(stock) });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error));
  } finally {
    inFlight--;
    endClientsWhenIdle();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));

process.on('SIGTERM', () => {
  process.stdout.write(`served ${served}\n`);
  closing = true;
  server.close();
  server.closeIdleConnections();
  endClientsWhenIdle();
});

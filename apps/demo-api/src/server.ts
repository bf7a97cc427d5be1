import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cors } from '@clicktrace/node/cors';
import { ITEMS } from './catalog.js';
import { openOrderQueue } from './order-queue.js';
import { type Order, Orders } from './orders.js';
import { databaseUrl } from './settings.js';

// The shop's API. It holds no tracing code: `node --import @clicktrace/node/register` adds it.
const port = Number(process.env.PORT ?? 3001);
const host = process.env.HOST ?? '127.0.0.1';
const carts = new Map<string, string[]>();
// Orders go to PostgreSQL; each queues a confirmation job that the worker process (worker.ts) sends.
const orders = new Orders(databaseUrl());
const queue = await openOrderQueue(process.env, databaseUrl());
// Connected now, outside any request: otherwise the first checkout's trace would hold the
// connection's set-up. If the queue is not up yet, the first publish connects.
queue.connect().catch((error: unknown) => {
  process.stderr.write(
    `demo-api: ${queue.describe} not reachable yet (${String(error)}); connecting on first order\n`,
  );
});
/** Order ids whose confirmation email the worker asked for, newest last (the demo shows them). */
const confirmed: string[] = [];

// The shop runs on another origin (any loopback port: the demo and the tests pick free ones).
// Browsers preflight every cross-origin request that carries `traceparent`; the helper allows the
// trace headers and exposes the Server-Timing backlink.
const applyCors = cors({ origins: [/^http:\/\/(127\.0\.0\.1|localhost):\d+$/] });

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    send(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
});

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (applyCors(req, res)) return;
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /api/items':
      return send(res, 200, { items: ITEMS });
    // For the async-context matrix (apps/matrix-web, e2e/matrix): one call per async path, named
    // by its query, so each path's server span can be told apart; `delay` (ms, at most 2000)
    // keeps a request in flight.
    case 'GET /api/ping': {
      const delay = Math.min(Number(url.searchParams.get('delay')) || 0, 2000);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return send(res, 200, { pong: url.searchParams.get('path') ?? '' });
    }
    case 'POST /api/cart': {
      const { cartId, itemId } = (await readJson(req)) as { cartId?: string; itemId?: string };
      if (!cartId || !ITEMS.some((item) => item.id === itemId))
        return send(res, 400, { error: 'unknown item' });
      const cart = carts.get(cartId) ?? [];
      cart.push(itemId as string);
      carts.set(cartId, cart);
      return send(res, 200, { cartId, items: cart });
    }
    case 'POST /api/checkout': {
      const { cartId } = (await readJson(req)) as { cartId?: string };
      const items = carts.get(cartId ?? '') ?? [];
      // A second hop over HTTP, so the trace reaches a downstream call: the inventory route.
      const reserved = await fetch(`http://${host}:${actualPort()}/api/inventory/reserve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      if (!reserved.ok) return send(res, 502, { error: 'inventory unavailable' });
      const order: Order = {
        orderId: `order-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
        items,
        totalCents: items.reduce(
          (sum, id) => sum + (ITEMS.find((item) => item.id === id)?.priceCents ?? 0),
          0,
        ),
      };
      // Then the database and the queue: the worker sends the confirmation email.
      await orders.save(order);
      await queue.publish(order);
      carts.delete(cartId ?? '');
      return send(res, 200, order);
    }
    // The email service the worker calls for each confirmation job.
    case 'POST /api/emails/order-confirmation': {
      const { orderId } = (await readJson(req)) as { orderId?: string };
      if (!orderId) return send(res, 400, { error: 'no orderId' });
      confirmed.push(orderId);
      if (confirmed.length > 100) confirmed.shift();
      return send(res, 202, { queued: orderId });
    }
    case 'GET /api/emails/order-confirmation':
      return send(res, 200, { confirmed });
    case 'POST /api/inventory/reserve': {
      const { items } = (await readJson(req)) as { items?: string[] };
      return send(res, 200, { reserved: items?.length ?? 0 });
    }
    default:
      return send(res, 404, { error: `no route ${route}` });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

function actualPort(): number {
  return (server.address() as AddressInfo).port;
}

server.listen(port, host, () => {
  process.stdout.write(`demo-api listening on http://${host}:${actualPort()} (jobs: ${queue.describe})\n`);
});

// Stops by letting the event loop empty, so @clicktrace/node's own signal handler can send the last
// spans first; a second signal ends it at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([orders.close(), queue.close()]);
    // Should a connection still hold the event loop, exit anyway once the last spans had time.
    setTimeout(() => process.exit(0), 5000).unref();
  });
}

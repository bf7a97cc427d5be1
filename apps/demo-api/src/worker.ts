import { setTimeout as delay } from 'node:timers/promises';
import { openOrderQueue } from './order-queue.js';
import type { Order } from './orders.js';
import { databaseUrl } from './settings.js';

// The shop's worker process: it takes order-confirmation jobs off the queue and asks the shop's
// email service to send them. No tracing code: `node --import @clicktrace/node/register` adds it,
// and each job continues the trace of the checkout that queued it.
const emailUrl = process.env.EMAIL_SERVICE_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3001}`;
const queue = await openOrderQueue(process.env, databaseUrl());

async function sendConfirmation(order: Order): Promise<void> {
  const response = await fetch(`${emailUrl}/api/emails/order-confirmation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: order.orderId }),
  });
  if (!response.ok) throw new Error(`email service answered ${response.status}`);
}

// The queue may still be starting (the demo starts everything at once): try again, backing off.
for (let attempt = 1; ; attempt++) {
  try {
    await queue.consume(sendConfirmation);
    break;
  } catch (error) {
    if (attempt === 1)
      process.stderr.write(`shop-worker: waiting for ${queue.describe} (${String(error)})\n`);
    await delay(Math.min(attempt * 250, 5000));
  }
}
process.stdout.write(`shop-worker consuming order confirmations from ${queue.describe}\n`);

// Stops by letting the event loop empty (see server.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void queue.close().catch(() => {});
    // Should a connection still hold the event loop, exit anyway once the last spans had time.
    setTimeout(() => process.exit(0), 5000).unref();
  });
}

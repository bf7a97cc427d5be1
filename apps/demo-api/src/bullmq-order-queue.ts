import { Queue, Worker } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { ORDER_CONFIRMATION_QUEUE, type OrderQueue } from './order-queue.js';
import type { Order } from './orders.js';

/**
 * Jobs on Redis through BullMQ, traced by BullMQ itself: the one line to add is its `telemetry`
 * option, on the queue and on the worker. Its spans go to the SDK @clicktrace/node started.
 */
export class BullMqOrderQueue implements OrderQueue {
  readonly describe: string;
  readonly #connection: { host: string; port: number; password?: string; maxRetriesPerRequest: null };
  #queue: Queue | undefined;
  #worker: Worker | undefined;

  constructor(url: string) {
    const { hostname, port, password } = new URL(url);
    this.describe = `BullMQ on Redis at ${hostname}:${port || 6379}`;
    // A worker's blocking reads need maxRetriesPerRequest: null (BullMQ says so).
    this.#connection = {
      host: hostname,
      port: Number(port || 6379),
      ...(password ? { password: decodeURIComponent(password) } : {}),
      maxRetriesPerRequest: null,
    };
  }

  async connect(): Promise<void> {
    await this.#openQueue().waitUntilReady();
  }

  async publish(order: Order): Promise<void> {
    await this.#openQueue().add('order-confirmation', order, { removeOnComplete: true, removeOnFail: 100 });
  }

  async consume(handle: (order: Order) => Promise<void>): Promise<void> {
    this.#worker = new Worker<Order>(ORDER_CONFIRMATION_QUEUE, (job) => handle(job.data), {
      connection: this.#connection,
      telemetry: new BullMQOtel({ tracerName: 'shop-worker' }),
    });
    this.#worker.on('error', (error) => process.stderr.write(`bullmq worker: ${error.message}\n`));
    await this.#worker.waitUntilReady();
  }

  #openQueue(): Queue {
    this.#queue ??= new Queue(ORDER_CONFIRMATION_QUEUE, {
      connection: this.#connection,
      telemetry: new BullMQOtel({ tracerName: 'shop-api' }),
    });
    return this.#queue;
  }

  async close(): Promise<void> {
    await Promise.all([this.#worker?.close(), this.#queue?.close()]);
  }
}

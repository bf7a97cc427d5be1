import type { Order } from './orders.js';

/** The queue of order-confirmation jobs between the shop's API and its worker. */
export interface OrderQueue {
  /** What carries the jobs, for the start-up line. */
  readonly describe: string;
  /**
   * Connects (and creates what the queue needs), so that this happens at start-up, outside any
   * request's trace; `publish` connects again on its own if this failed or the connection dropped.
   */
  connect(): Promise<void>;
  /** Puts the order's confirmation job on the queue. */
  publish(order: Order): Promise<void>;
  /** Runs `handle` for each job from now on; resolves once consuming has started. */
  consume(handle: (order: Order) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export const ORDER_CONFIRMATION_QUEUE = 'order-confirmation';

/**
 * The queue the environment names: RabbitMQ (`AMQP_URL`, traced with zero code through amqplib),
 * BullMQ on Redis (`REDIS_URL`, traced by BullMQ's own `telemetry` option), or by default a table
 * in the shop's PostgreSQL database (traced with the OpenTelemetry API by hand: the pattern for any
 * carrier that has no instrumentation).
 */
export async function openOrderQueue(env: NodeJS.ProcessEnv, databaseUrl: string): Promise<OrderQueue> {
  if (env.AMQP_URL) {
    const { RabbitMqOrderQueue } = await import('./rabbitmq-order-queue.js');
    return new RabbitMqOrderQueue(env.AMQP_URL);
  }
  if (env.REDIS_URL) {
    const { BullMqOrderQueue } = await import('./bullmq-order-queue.js');
    return new BullMqOrderQueue(env.REDIS_URL);
  }
  const { PostgresOrderQueue } = await import('./postgres-order-queue.js');
  return new PostgresOrderQueue(databaseUrl);
}

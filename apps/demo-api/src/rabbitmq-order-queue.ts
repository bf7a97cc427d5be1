import amqp from 'amqplib';
import { ORDER_CONFIRMATION_QUEUE, type OrderQueue } from './order-queue.js';
import type { Order } from './orders.js';

/**
 * Jobs on RabbitMQ through amqplib. No tracing code: @clicktrace/node's amqplib instrumentation
 * makes the publish a PRODUCER span with the context in the message's headers, and each delivery a
 * CONSUMER span continuing it.
 */
export class RabbitMqOrderQueue implements OrderQueue {
  readonly describe: string;
  readonly #url: string;
  #channel: Promise<amqp.Channel> | undefined;
  #connection: amqp.ChannelModel | undefined;
  #handle: ((order: Order) => Promise<void>) | undefined;
  #closing = false;

  constructor(url: string) {
    this.#url = url;
    this.describe = `RabbitMQ at ${new URL(url).host}`;
  }

  async connect(): Promise<void> {
    await this.#open();
  }

  async publish(order: Order): Promise<void> {
    const channel = await this.#open();
    channel.sendToQueue(ORDER_CONFIRMATION_QUEUE, Buffer.from(JSON.stringify(order)), {
      contentType: 'application/json',
      persistent: true,
    });
  }

  async consume(handle: (order: Order) => Promise<void>): Promise<void> {
    this.#handle = handle;
    const channel = await this.#open();
    await channel.prefetch(8);
    await channel.consume(ORDER_CONFIRMATION_QUEUE, (message) => {
      if (message === null) return; // the queue was deleted
      handle(JSON.parse(message.content.toString('utf8')) as Order).then(
        () => channel.ack(message),
        (error: unknown) => {
          process.stderr.write(`order-confirmation failed: ${String(error)}\n`);
          channel.nack(message, false, false);
        },
      );
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#connection?.close();
  }

  /** After the broker went away, a consumer starts consuming again once it is back. */
  #consumeAgain(attempt = 1): void {
    const handle = this.#handle;
    if (handle === undefined || this.#closing) return;
    setTimeout(
      () => {
        this.consume(handle).catch(() => this.#consumeAgain(attempt + 1));
      },
      Math.min(attempt * 500, 5000),
    ).unref();
  }

  /** Connected on first use; a failed connect is tried again on the next call. */
  #open(): Promise<amqp.Channel> {
    this.#channel ??= (async () => {
      const connection = await amqp.connect(this.#url);
      this.#connection = connection;
      connection.on('error', () => {}); // 'close' follows; the next call reconnects
      connection.on('close', () => {
        this.#channel = undefined;
        this.#consumeAgain();
      });
      const channel = await connection.createChannel();
      await channel.assertQueue(ORDER_CONFIRMATION_QUEUE, { durable: true });
      return channel;
    })().catch((error: unknown) => {
      this.#channel = undefined;
      throw error;
    });
    return this.#channel;
  }
}

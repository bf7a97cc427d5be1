import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';

/**
 * `amqplib` (RabbitMQ): a PRODUCER span per publish, its context in the message's headers, and a
 * CONSUMER span per delivered message as that span's child, around the consumer's callback.
 */
export function createInstrumentation(): Instrumentation {
  return new AmqplibInstrumentation();
}

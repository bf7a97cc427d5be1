import type { Instrumentation } from '@opentelemetry/instrumentation';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';

/** `redis` (node-redis) commands, as spans under the request. */
export function createInstrumentation(): Instrumentation {
  return new RedisInstrumentation({ requireParentSpan: true });
}

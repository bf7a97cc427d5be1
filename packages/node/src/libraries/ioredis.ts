import type { Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

/** `ioredis` commands, as spans under the request. */
export function createInstrumentation(): Instrumentation {
  return new IORedisInstrumentation({ requireParentSpan: true });
}

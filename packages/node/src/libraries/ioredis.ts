import type { Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

/**
 * `ioredis` commands, as spans under the request; the value a command writes is left out of
 * `db.query.text` (`set key [1 other arguments]`).
 */
export function createInstrumentation(): Instrumentation {
  return new IORedisInstrumentation({ requireParentSpan: true });
}

import type { Instrumentation } from '@opentelemetry/instrumentation';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { requireParentSpan } from '../require-parent-span.js';

/**
 * `redis` (node-redis) commands, as spans under the request; the value a command writes is left
 * out of `db.query.text` (`SET key [1 other arguments]`). Its connect span ignores
 * `requireParentSpan`, hence the wrapper: a client connecting at start-up makes no root span.
 */
export function createInstrumentation(): Instrumentation {
  return requireParentSpan(new RedisInstrumentation({ requireParentSpan: true }));
}

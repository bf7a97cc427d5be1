import type { Instrumentation } from '@opentelemetry/instrumentation';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { redisQueryText } from '../redis-query-text.js';
import { requireParentSpan } from '../require-parent-span.js';

/**
 * `redis` (node-redis) commands, as spans under the request; `db.query.text` keeps the command
 * and its key, every other argument is `?` (`SET session:42 ?`). Its connect span ignores
 * `requireParentSpan`, hence the wrapper: a client connecting at start-up makes no root span.
 */
export function createInstrumentation(): Instrumentation {
  return requireParentSpan(
    new RedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisQueryText }),
  );
}

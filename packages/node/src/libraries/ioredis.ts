import type { Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { redisQueryText } from '../redis-query-text.js';

/**
 * `ioredis` commands, as spans under the request; `db.query.text` keeps the command and its key,
 * every other argument is `?` (`set session:42 ?`).
 */
export function createInstrumentation(): Instrumentation {
  return new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisQueryText });
}

import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/** `pg` (node-postgres) queries and pool connects, as spans under the request. */
export function createInstrumentation(): Instrumentation {
  return new PgInstrumentation({ requireParentSpan: true });
}

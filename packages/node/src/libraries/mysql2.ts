import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';

/** `mysql2` queries, as spans under the request. */
export function createInstrumentation(): Instrumentation {
  return new MySQL2Instrumentation({ maskStatement: true });
}

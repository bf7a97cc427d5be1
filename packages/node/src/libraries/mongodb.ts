import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';

/** `mongodb` commands, as spans under the request; values in a command are replaced by `?`. */
export function createInstrumentation(): Instrumentation {
  return new MongoDBInstrumentation({ requireParentSpan: true });
}

import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';

/**
 * `mongodb` commands, as spans under the request, named `{operation} {collection}`; every value in
 * a command is replaced by `?` in `db.query.text` (the instrumentation's default serializer).
 */
export function createInstrumentation(): Instrumentation {
  return new MongoDBInstrumentation({ requireParentSpan: true });
}

import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { memoizeByText } from '../memoize-by-text.js';
import { requireParentSpan } from '../require-parent-span.js';
import { MYSQL, sanitizeSql } from '../sanitize-sql.js';

const sanitize = memoizeByText((text) => sanitizeSql(text, MYSQL));

/**
 * `mysql2` queries, as spans under the request (the instrumentation has no `requireParentSpan`:
 * see require-parent-span.ts), their text with every literal replaced by `?` (its own mask misses
 * hex literals and comments; ours is the one pg uses).
 */
export function createInstrumentation(): Instrumentation {
  return requireParentSpan(
    new MySQL2Instrumentation({
      maskStatement: true,
      maskStatementHook: sanitize,
    }),
  );
}

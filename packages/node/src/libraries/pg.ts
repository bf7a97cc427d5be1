import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { POSTGRESQL, sanitizeSql, summarizeSql } from '../sanitize-sql.js';

/**
 * `pg` (node-postgres) queries and pool connects, as spans under the request (none outside one:
 * pool chatter at start-up makes no root spans). Per the stable database conventions, the span is
 * named by `db.query.summary` ("SELECT users"), and the text of a query sent without parameters
 * has its literals replaced by `?`; a parameterized query's text is kept as written (its values
 * are never recorded).
 */
export function createInstrumentation(): Instrumentation {
  return new PgInstrumentation({
    requireParentSpan: true,
    requestHook(span, { query }) {
      const parameterized = Array.isArray(query.values) && query.values.length > 0;
      if (!parameterized) span.setAttribute('db.query.text', sanitizeSql(query.text, POSTGRESQL));
      const summary = summarizeSql(query.text, POSTGRESQL);
      if (summary !== undefined) {
        span.setAttribute('db.query.summary', summary);
        span.updateName(summary);
      } else {
        span.updateName('postgresql');
      }
    },
  });
}

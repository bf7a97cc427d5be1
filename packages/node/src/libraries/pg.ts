import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { memoizeByText } from '../memoize-by-text.js';
import { POSTGRESQL, sanitizeSql, summarizeSql } from '../sanitize-sql.js';

const summarize = memoizeByText((text) => summarizeSql(text, POSTGRESQL));
const sanitize = memoizeByText((text) => sanitizeSql(text, POSTGRESQL));

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
      if (!parameterized) span.setAttribute('db.query.text', sanitize(query.text));
      const summary = summarize(query.text);
      if (summary !== undefined) {
        span.setAttribute('db.query.summary', summary);
        span.updateName(summary);
      } else {
        span.updateName('postgresql');
      }
    },
  });
}

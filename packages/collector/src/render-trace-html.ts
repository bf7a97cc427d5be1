/**
 * A trace as one standalone HTML file: the viewer's own waterfall, with the spans inside the
 * page, so it opens from a file or a test report's attachment with no collector running.
 */
import { TraceStore } from './trace-store.js';
import type { StoredSpan } from './types.js';
import { viewerDocument } from './viewer-page.js';

export interface RenderTraceHtmlOptions {
  /** The page's title and heading, as plain text. Default `'clicktrace trace'`. */
  title?: string;
}

/**
 * Renders spans as a standalone HTML page drawn by the collector's viewer: the trace list,
 * the waterfall (rows, bars, service legend, events, errors) and span details on click.
 * The page fetches nothing and links to nothing; the spans go in as JSON that the page's
 * script reads, and from there into the DOM as text only, so any span name or attribute is safe.
 *
 * Spans of several traces make a list of traces, newest first as in the viewer, and the page
 * opens the first one; `#trace=<traceId>` in the URL opens another. A span passed twice is
 * shown once.
 *
 * @example
 * writeFileSync('trace.html', renderTraceHtml(collector.store.spans(), { title: 'checkout' }));
 */
export function renderTraceHtml(spans: readonly StoredSpan[], options: RenderTraceHtmlOptions = {}): string {
  const { title = 'clicktrace trace' } = options;
  // Through a store, so the page lists exactly what the live viewer would: the same
  // summaries, order and deduplication as GET /api/traces.
  const store = new TraceStore({ maxSpans: Math.max(spans.length, 1) });
  store.add([...spans]);
  const byTrace = new Map<string, StoredSpan[]>();
  for (const span of store.spans()) {
    const trace = byTrace.get(span.traceId);
    if (trace) trace.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  // fromEntries defines own properties: no trace id can reach a prototype.
  return viewerDocument({ title, saved: { traces: store.traces(), spans: Object.fromEntries(byTrace) } });
}

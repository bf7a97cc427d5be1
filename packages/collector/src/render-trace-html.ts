/**
 * A trace as one standalone HTML file: the viewer's own waterfall, with the spans (and the
 * breaks found in them) inside the page, so it opens from a file or a test report's attachment
 * with no collector running.
 */
import { TraceStore } from './trace-store.js';
import type { StoredSpan, TraceBreak } from './types.js';
import { viewerDocument } from './viewer-page.js';

export interface RenderTraceHtmlOptions {
  /** The page's title and heading, as plain text. Default `'clicktrace trace'`. */
  title?: string;
  /**
   * Breaks to show, as `GET /api/breaks` answers them: each one as a marker in the waterfall
   * of the traces at its two ends (the other trace's part joined in when its spans are given
   * too), a badge in the trace list, and a line of the page's Breaks list. Default none.
   */
  breaks?: readonly TraceBreak[];
}

/**
 * Renders spans as a standalone HTML page drawn by the collector's viewer: the trace list,
 * the waterfall (rows, bars, service legend, events, errors, breaks) and span details on
 * click. The page fetches nothing and links to nothing; the spans go in as JSON that the
 * page's script reads, and from there into the DOM as text only, so any span name or
 * attribute is safe.
 *
 * Spans of several traces make a list of traces, newest first as in the viewer, and the page
 * opens the first one; `#trace=<traceId>` in the URL opens another, `#breaks` the breaks. A
 * span passed twice is shown once.
 *
 * @example
 * writeFileSync('trace.html', renderTraceHtml(collector.store.spans(), { title: 'checkout' }));
 */
export function renderTraceHtml(spans: readonly StoredSpan[], options: RenderTraceHtmlOptions = {}): string {
  const { title = 'clicktrace trace', breaks = [] } = options;
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
  const traces = store.traces().map((trace) => {
    const breakCount = breaks.filter(
      (b) => b.from.traceId === trace.traceId || b.to?.traceId === trace.traceId,
    ).length;
    return breakCount > 0 ? { ...trace, breakCount } : trace;
  });
  // Newest first, as GET /api/breaks answers.
  const newestFirst = [...breaks].sort((a, b) => compareDecimal(b.timeUnixNano, a.timeUnixNano));
  // fromEntries defines own properties: no trace id can reach a prototype.
  return viewerDocument({
    title,
    saved: { traces, spans: Object.fromEntries(byTrace), breaks: newestFirst },
  });
}

function compareDecimal(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

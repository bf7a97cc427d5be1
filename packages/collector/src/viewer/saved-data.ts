/**
 * The shapes the viewer reads: what the collector's API answers and what a saved page
 * (renderTraceHtml) carries in its `<script type="application/json" id="clicktrace-data">`.
 */
import type { StoredSpan, TraceBreak, TraceSummary } from '../types.js';

/** A line of the trace list. `breakCount` is absent (or 0) when the trace has no break, and
 * from a collector that does not diagnose breaks. */
export type ListedTrace = TraceSummary & { breakCount?: number };

/** One trace as `GET /api/traces/:traceId` answers it; `breaks` is [] when the answer had none. */
export interface TraceDetail {
  traceId: string;
  spans: StoredSpan[];
  breaks: TraceBreak[];
}

/** What a saved page embeds: the answers of `GET /api/traces`, `GET /api/traces/:id` and `GET /api/breaks`. */
export interface SavedViewerData {
  traces: ListedTrace[];
  /** Each listed trace's spans, by trace id. */
  spans: Record<string, StoredSpan[]>;
  /** Newest first. */
  breaks: TraceBreak[];
}

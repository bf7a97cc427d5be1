/**
 * Where the viewer's data comes from: the collector's JSON API (the live page), or the page
 * itself (a page made by renderTraceHtml, which never fetches). Both answer in the API's
 * shapes, and both read an older collector's answers (no breaks) as "no breaks".
 */
import type { TraceBreak } from '../types.js';
import type { ListedTrace, SavedViewerData, TraceDetail } from './saved-data.js';

export interface DataSource {
  /** True for the collector's API, which the viewer polls; false for a saved page. */
  readonly live: boolean;
  /** Newest first, as `GET /api/traces` answers. */
  traces(): Promise<ListedTrace[]>;
  /** Undefined when the trace is not there (cleared, evicted, not in this page). */
  trace(traceId: string): Promise<TraceDetail | undefined>;
  /** Newest first; undefined when the collector does not report breaks (an older one). */
  breaks(): Promise<TraceBreak[] | undefined>;
  /** Empties the collector's store (live only). */
  clear(): Promise<void>;
}

/**
 * The collector's API. URLs are relative (`api/traces`, not `/api/traces`), so the page works
 * behind a proxy that serves the collector under a path prefix.
 */
export function apiSource(): DataSource {
  return {
    live: true,
    async traces() {
      const body = await getJson('api/traces');
      return isRecord(body) && Array.isArray(body.traces) ? (body.traces as ListedTrace[]) : [];
    },
    async trace(traceId) {
      const body = await getJson(`api/traces/${encodeURIComponent(traceId)}`);
      if (body === undefined || !isRecord(body) || !Array.isArray(body.spans)) return undefined;
      return { traceId, spans: body.spans, breaks: validBreaks(body.breaks) };
    },
    async breaks() {
      const body = await getJson('api/breaks');
      return body === undefined || !isRecord(body) ? undefined : validBreaks(body.breaks);
    },
    async clear() {
      await fetch('api/traces', { method: 'DELETE' });
    },
  };
}

/** The data a saved page carries. */
export function savedSource(saved: SavedViewerData): DataSource {
  const breaks = validBreaks(saved.breaks);
  return {
    live: false,
    traces: () => Promise.resolve(saved.traces),
    trace(traceId) {
      // Own properties only: no trace id can reach the prototype.
      if (!Object.hasOwn(saved.spans, traceId)) return Promise.resolve(undefined);
      const spans = saved.spans[traceId] ?? [];
      const touching = breaks.filter((b) => b.from.traceId === traceId || b.to?.traceId === traceId);
      return Promise.resolve({ traceId, spans, breaks: touching });
    },
    breaks: () => Promise.resolve(breaks),
    clear: () => Promise.resolve(),
  };
}

/** The parsed JSON answer; undefined for a 404 (no such trace, or no such route on an older collector). */
async function getJson(path: string): Promise<unknown> {
  const response = await fetch(path, { cache: 'no-store' });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The breaks of an answer that the viewer can draw: a missing list is no breaks, and an entry
 * without the fields it is drawn from (a newer or broken collector's) is left out.
 */
function validBreaks(value: unknown): TraceBreak[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is TraceBreak =>
      isRecord(entry) &&
      typeof entry.kind === 'string' &&
      typeof entry.summary === 'string' &&
      typeof entry.fix === 'string' &&
      typeof entry.timeUnixNano === 'string' &&
      /^\d+$/.test(entry.timeUnixNano) &&
      isEnd(entry.from) &&
      (entry.to === undefined || isEnd(entry.to)),
  );
}

function isEnd(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.traceId === 'string' &&
    typeof value.spanId === 'string' &&
    typeof value.name === 'string' &&
    typeof value.serviceName === 'string'
  );
}

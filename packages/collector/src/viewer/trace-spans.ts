/**
 * The spans of listed traces, for the filter (the summaries do not carry span names,
 * attributes or statuses). Each trace is loaded once, and again only when its span count
 * changed; a few at a time, so a full collector is searched without a burst of requests.
 */
import type { StoredSpan } from '../types.js';
import type { DataSource } from './data-source.js';
import type { ListedTrace } from './saved-data.js';

const PARALLEL = 4;

export class TraceSpans {
  private readonly _source: DataSource;
  private readonly _loaded = new Map<string, { spanCount: number; spans: StoredSpan[] }>();
  private _loading: Promise<void> | undefined;

  constructor(source: DataSource) {
    this._source = source;
  }

  /** The trace's spans when they are loaded and current. */
  get(trace: ListedTrace): StoredSpan[] | undefined {
    const loaded = this._loaded.get(trace.traceId);
    return loaded?.spanCount === trace.spanCount ? loaded.spans : undefined;
  }

  /**
   * Loads the spans of the traces not current yet, calling `onLoaded` after each few, and
   * forgets the traces not listed. A call while loading waits for that run to finish first.
   */
  async load(traces: readonly ListedTrace[], onLoaded: () => void): Promise<void> {
    while (this._loading) await this._loading;
    const listed = new Set(traces.map((trace) => trace.traceId));
    for (const traceId of this._loaded.keys()) if (!listed.has(traceId)) this._loaded.delete(traceId);
    const queue = traces.filter((trace) => this.get(trace) === undefined);
    if (queue.length === 0) return;
    const worker = async (): Promise<void> => {
      for (let trace = queue.shift(); trace; trace = queue.shift()) {
        const detail = await this._source.trace(trace.traceId).catch(() => undefined);
        // A trace gone meanwhile is no match: an empty list, current for its count.
        this._loaded.set(trace.traceId, { spanCount: trace.spanCount, spans: detail?.spans ?? [] });
        onLoaded();
      }
    };
    this._loading = Promise.all(Array.from({ length: PARALLEL }, worker)).then(() => undefined);
    try {
      await this._loading;
    } finally {
      this._loading = undefined;
    }
  }
}

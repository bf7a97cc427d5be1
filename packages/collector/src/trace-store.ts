/**
 * The collector's memory: received spans grouped by trace, bounded so a collector left
 * running for a day of development cannot grow without limit.
 */
import { compareDecimal } from './decimal.js';
import type { StoredSpan, TraceSummary } from './types.js';

export const DEFAULT_MAX_SPANS = 100_000;

export interface TraceStoreOptions {
  /** Most spans kept; past it, whole traces are evicted oldest first. Default 100 000. */
  maxSpans?: number;
}

/** A listener for `TraceStore.onSpans`: receives each batch of spans as it is added. */
export type SpansListener = (spans: StoredSpan[]) => void;

/**
 * Spans grouped by trace id, in arrival order.
 *
 * Eviction drops whole traces, never single spans, so every trace the store still holds is
 * as complete as it arrived. The oldest trace is the one whose first span arrived first;
 * a late span does not make its trace younger.
 *
 * A span received twice (same trace and span id, e.g. an exporter retry) replaces its
 * first copy instead of being counted again.
 */
export class TraceStore {
  readonly maxSpans: number;
  // A Map iterates in insertion order, which is exactly "by first arrival".
  private readonly _traces = new Map<string, Map<string, StoredSpan>>();
  private readonly _listeners = new Set<SpansListener>();
  // When each span arrived, for verdicts that wait for late spans (see diagnose-breaks.ts).
  private readonly _arrivals = new WeakMap<StoredSpan, number>();
  private _size = 0;
  private _version = 0;

  constructor(options: TraceStoreOptions = {}) {
    const { maxSpans = DEFAULT_MAX_SPANS } = options;
    if (!Number.isSafeInteger(maxSpans) || maxSpans < 1) {
      throw new RangeError(`maxSpans must be a positive integer, got ${maxSpans}`);
    }
    this.maxSpans = maxSpans;
  }

  /** Number of spans held. */
  get size(): number {
    return this._size;
  }

  /** Changes whenever the spans held change (added, evicted, cleared): a cache key. */
  get version(): number {
    return this._version;
  }

  /** When the store received `span` (milliseconds since the epoch), if it holds that very object. */
  arrivedAt(span: StoredSpan): number | undefined {
    return this._arrivals.get(span);
  }

  /**
   * Stores spans, evicts the oldest traces while more than `maxSpans` are held, then tells
   * every `onSpans` listener. A trace bigger than `maxSpans` on its own is evicted too.
   */
  add(spans: StoredSpan[]): void {
    if (spans.length === 0) return;
    const now = Date.now();
    this._version++;
    for (const span of spans) {
      this._arrivals.set(span, now);
      let trace = this._traces.get(span.traceId);
      if (!trace) {
        trace = new Map();
        this._traces.set(span.traceId, trace);
      }
      if (!trace.has(span.spanId)) this._size++;
      trace.set(span.spanId, span);
    }
    this._evict();
    this._notify(spans);
  }

  /** One summary per trace, newest first (by the trace's earliest span start). */
  traces(): TraceSummary[] {
    const summaries = [...this._traces].map(([traceId, spans]) => summarize(traceId, [...spans.values()]));
    // Reversing first makes ties (same start) come out newest arrival first: sort is stable.
    return summaries.reverse().sort((a, b) => compareDecimal(b.startTimeUnixNano, a.startTimeUnixNano));
  }

  /** The spans of one trace in arrival order, or undefined when the store does not hold it. */
  trace(traceId: string): StoredSpan[] | undefined {
    const trace = this._traces.get(traceId.toLowerCase());
    return trace ? [...trace.values()] : undefined;
  }

  /** Every span held, trace by trace in arrival order. */
  spans(): StoredSpan[] {
    return [...this._traces.values()].flatMap((trace) => [...trace.values()]);
  }

  /** Every trace held, as its spans in arrival order (live views: read them before the next `add`). */
  *traceSpans(): IterableIterator<Iterable<StoredSpan>> {
    for (const trace of this._traces.values()) yield trace.values();
  }

  clear(): void {
    this._version++;
    this._traces.clear();
    this._size = 0;
  }

  /**
   * Calls `listener` with every batch added from now on; returns a function that stops it.
   * This is how a test waits for spans without polling.
   */
  onSpans(listener: SpansListener): () => void {
    // Wrapped so the same function can be subscribed twice and unsubscribed independently.
    const entry: SpansListener = (spans) => listener(spans);
    this._listeners.add(entry);
    return () => {
      this._listeners.delete(entry);
    };
  }

  private _evict(): void {
    for (const [traceId, trace] of this._traces) {
      if (this._size <= this.maxSpans) return;
      this._traces.delete(traceId);
      this._size -= trace.size;
    }
  }

  /**
   * Every listener runs even if one throws; the first error is rethrown afterwards so a
   * broken listener is visible to the caller of `add` instead of silently swallowed.
   */
  private _notify(spans: StoredSpan[]): void {
    const errors: unknown[] = [];
    for (const listener of [...this._listeners]) {
      try {
        listener(spans);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several onSpans listeners threw');
  }
}

function summarize(traceId: string, spans: StoredSpan[]): TraceSummary {
  const byStart = [...spans].sort((a, b) => compareDecimal(a.startTimeUnixNano, b.startTimeUnixNano));
  const first = byStart[0] as StoredSpan;
  let end = BigInt(first.endTimeUnixNano);
  for (const span of spans) {
    const spanEnd = BigInt(span.endTimeUnixNano);
    if (spanEnd > end) end = spanEnd;
  }
  const start = BigInt(first.startTimeUnixNano);
  const root = byStart.find((span) => span.parentSpanId === undefined);
  const summary: TraceSummary = {
    traceId,
    serviceNames: [...new Set(byStart.map((span) => span.serviceName))],
    spanCount: spans.length,
    startTimeUnixNano: first.startTimeUnixNano,
    // Nanoseconds to milliseconds in BigInt first: the absolute times exceed 2^53.
    durationMs: end > start ? Number(end - start) / 1e6 : 0,
  };
  if (root) summary.rootName = root.name;
  return summary;
}

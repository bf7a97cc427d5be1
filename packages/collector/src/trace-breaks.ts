/**
 * The breaks among the traces a store holds, kept up to date for the API: found again only when
 * the store changed or a pending verdict fell due, so a viewer polling every second costs one
 * diagnosis per change, not one per request.
 */
import { diagnoseBreaks } from './diagnose-breaks.js';
import type { TraceStore } from './trace-store.js';
import type { TraceBreak } from './types.js';

/**
 * How long a request span waits for its server's span before the server counts as not traced:
 * longer than OpenTelemetry's default batch delay (OTEL_BSP_SCHEDULE_DELAY, 5 s), since the
 * server's span comes in a batch of its own.
 */
export const DEFAULT_SETTLE_MS = 6_000;

/**
 * While spans keep arriving, a diagnosis at most this often: a busy store asked every 50 ms (a
 * test's polls, a viewer) costs one diagnosis a quarter second (about 100 ms for 100 000 spans),
 * and an answer is at most this much behind.
 */
export const MIN_DIAGNOSIS_INTERVAL_MS = 250;

export class TraceBreaks {
  readonly settleMs: number;
  private readonly _store: TraceStore;
  private _cached:
    | { version: number; at: number; recheckAt?: number | undefined; breaks: TraceBreak[] }
    | undefined;
  private _warned = false;

  constructor(store: TraceStore, settleMs = DEFAULT_SETTLE_MS) {
    if (!Number.isFinite(settleMs) || settleMs < 0) {
      throw new RangeError(`settleMs must be a non-negative number, got ${settleMs}`);
    }
    this._store = store;
    this.settleMs = settleMs;
  }

  /** Every break, newest first. Never throws: a failed diagnosis answers the last one it had. */
  all(): TraceBreak[] {
    const now = Date.now();
    const cached = this._cached;
    if (cached !== undefined) {
      const due = cached.recheckAt !== undefined && now >= cached.recheckAt;
      const changed = cached.version !== this._store.version;
      if ((!due && !changed) || now - cached.at < MIN_DIAGNOSIS_INTERVAL_MS) return cached.breaks;
    }
    const store = this._store;
    try {
      const diagnosis = diagnoseBreaks(store.traceSpans(), {
        now,
        settleMs: this.settleMs,
        arrivedAt: (span) => store.arrivedAt(span) ?? now,
      });
      this._cached = {
        version: store.version,
        at: now,
        recheckAt: diagnosis.recheckAt,
        breaks: diagnosis.breaks,
      };
    } catch (error) {
      // A bug of ours must not take the trace list or the viewer down with it.
      if (!this._warned)
        process.emitWarning(`clicktrace collector: the break diagnosis failed: ${String(error)}`);
      this._warned = true;
      this._cached = { version: store.version, at: now, breaks: cached?.breaks ?? [] };
    }
    return this._cached.breaks;
  }

  /** The breaks one trace takes part in, on either side. */
  of(traceId: string): TraceBreak[] {
    const id = traceId.toLowerCase();
    return this.all().filter((item) => item.from.traceId === id || item.to?.traceId === id);
  }

  /** How many breaks each trace takes part in; traces without one are absent. */
  countByTrace(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const item of this.all()) {
      for (const traceId of new Set([item.from.traceId, item.to?.traceId])) {
        if (traceId !== undefined) counts.set(traceId, (counts.get(traceId) ?? 0) + 1);
      }
    }
    return counts;
  }
}

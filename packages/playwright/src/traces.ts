import type { BrowserContext } from '@playwright/test';
import { flushPages } from './browser-exports.js';
import type { CollectorClient } from './collector-client.js';
import { describeQuery, type SpanQuery, spanMatches, type TextMatcher, textMatches } from './span-query.js';
import { Trace } from './trace.js';

/** What `waitForTrace` looks for. Every field given must hold for the same trace. */
export interface TraceQuery {
  /** The trace's root span (a span without a parent). */
  root?: SpanQuery;
  /** Spans the trace must contain, e.g. `['POST /api/checkout']`. */
  through?: SpanQuery[];
  /** A service that must have spans in the trace. */
  service?: TextMatcher;
  /** Attributes some span in the trace must carry. */
  attributes?: Record<string, string | number | boolean>;
}

export interface WaitOptions {
  /** How long to wait for a match, in milliseconds. Default: 10 000. */
  timeout?: number;
  /** How long a matching trace may keep naming a missing parent before it is returned anyway. Default: 2 000. */
  settle?: number;
}

const POLL_INTERVAL_MS = 50;

/** The traces the current test caused, read from the collector. */
export class Traces {
  private readonly _collector: CollectorClient;
  private readonly _context: BrowserContext;
  private readonly _before: ReadonlySet<string>;
  private readonly _cache = new Map<string, { spanCount: number; trace: Trace }>();

  constructor(collector: CollectorClient, context: BrowserContext, tracesBefore: ReadonlySet<string>) {
    this._collector = collector;
    this._context = context;
    this._before = tracesBefore;
  }

  /** Every trace that arrived since the test started, newest first. Flushes the pages first. */
  async all(): Promise<Trace[]> {
    await flushPages(this._context);
    const traces: Trace[] = [];
    for (const summary of await this._collector.summaries()) {
      if (this._before.has(summary.traceId)) continue;
      const cached = this._cache.get(summary.traceId);
      if (cached && cached.spanCount === summary.spanCount) {
        traces.push(cached.trace);
        continue;
      }
      const trace = new Trace(summary.traceId, await this._collector.spans(summary.traceId));
      this._cache.set(summary.traceId, { spanCount: summary.spanCount, trace });
      traces.push(trace);
    }
    return traces;
  }

  /**
   * Waits until a trace matching the query has arrived, and returns it.
   *
   * A trace's spans arrive in pieces (a fetch span ends after the server's span was exported),
   * so a match is returned once every span's parent has arrived too; a trace that still names
   * a missing parent `settle` ms after it matched is returned as it is, for `toBeConnected`
   * to explain.
   */
  async waitForTrace(
    query: TraceQuery,
    { timeout = 10_000, settle = 2_000 }: WaitOptions = {},
  ): Promise<Trace> {
    const deadline = Date.now() + timeout;
    let seen: Trace[] = [];
    let matchedAt: number | undefined;
    for (;;) {
      seen = await this.all();
      const found = seen.find((trace) => traceMatches(trace, query));
      if (found) {
        matchedAt ??= Date.now();
        const complete = found.orphans.length === 0;
        if (complete || Date.now() - matchedAt >= settle || Date.now() >= deadline) return found;
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    const drawn = seen.length === 0 ? '  (no traces arrived)' : seen.map((t) => t.toString()).join('\n');
    throw new Error(
      `No trace matched ${describeTraceQuery(query)} within ${timeout} ms.\nTraces this test produced:\n${drawn}`,
    );
  }
}

export function traceMatches(trace: Trace, query: TraceQuery): boolean {
  if (query.root !== undefined) {
    const root = query.root;
    if (!trace.roots.some((span) => spanMatches(span, root))) return false;
  }
  for (const step of query.through ?? []) {
    if (!trace.find(step)) return false;
  }
  if (query.service !== undefined) {
    const service = query.service;
    if (!trace.spans.some((span) => textMatches(span.serviceName, service))) return false;
  }
  if (query.attributes !== undefined && !trace.find({ attributes: query.attributes })) return false;
  return true;
}

function describeTraceQuery(query: TraceQuery): string {
  const parts: string[] = [];
  if (query.root !== undefined) parts.push(`root ${describeQuery(query.root)}`);
  if (query.through) parts.push(`through ${query.through.map(describeQuery).join(', ')}`);
  if (query.service !== undefined) parts.push(`service ${describeQuery(query.service)}`);
  if (query.attributes) parts.push(`attributes ${JSON.stringify(query.attributes)}`);
  return `{ ${parts.join('; ')} }`;
}

import type { TraceBreak, TraceSummary } from '@clicktrace/collector';
import type { BrowserContext, Location } from '@playwright/test';
import { test as playwrightTest } from '@playwright/test';
import { callerLocation } from './caller-location.js';
import type { CollectorClient } from './collector-client.js';
import { flushPages } from './flush-pages.js';
import type { PageExports } from './page-exports.js';
import { describeQuery, type SpanQuery, spanMatches, type TextMatcher, textMatches } from './span-query.js';
import { breakLine, Trace } from './trace.js';

/** What `waitForTrace` looks for. Every field given must hold for the same trace. */
export interface TraceQuery {
  /** The trace's root span (a span without a parent). */
  root?: SpanQuery;
  /**
   * Where the trace must go, e.g. `['POST /api/checkout']`: each step matches some span. A step
   * without a `kind` is not matched by CLIENT spans, so an HTTP step means the server got the
   * request; give `kind: 'CLIENT'` to ask for the request span itself.
   */
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
/**
 * How long no trace may match before `.not.toHaveTrace` passes: longer than the servers' batch
 * delay under defineConfig (100 ms), so a server span still in its batch is not missed.
 */
const ABSENT_QUIET_MS = 500;
/** How long one look lets the pages wait for their open interactions before exporting. */
const MAX_IDLE_WAIT_MS = 500;

/**
 * The traces the current test caused, read from the collector: those its own pages exported spans
 * of (learned from the collector's answers to their exports, see page-exports.ts), with every
 * span of them, the servers' included. Traces of other tests running at the same time are not
 * among them.
 */
export class Traces {
  private readonly _collector: CollectorClient;
  private readonly _context: BrowserContext;
  private readonly _exports: PageExports;
  private readonly _cache = new Map<string, { key: string; trace: Trace }>();

  /** @param exports the test's pages' exports, which say which traces are the test's own. */
  constructor(collector: CollectorClient, context: BrowserContext, exports: PageExports) {
    this._collector = collector;
    this._context = context;
    this._exports = exports;
  }

  /**
   * Every trace this test caused so far, newest first. Flushes the pages first, then waits (up to
   * `settle` ms, default 2 000) until none of them names a parent that has not arrived yet: a
   * click's span ends a little after its last request, and a server's span comes in its own batch.
   */
  async all({ settle = 2_000 }: { settle?: number } = {}): Promise<Trace[]> {
    const deadline = Date.now() + settle;
    for (;;) {
      const { own } = await this._snapshot(Math.max(0, Math.min(MAX_IDLE_WAIT_MS, deadline - Date.now())));
      if (own.every((trace) => trace.orphans.length === 0) || Date.now() >= deadline) return own;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /**
   * Waits until a trace matching the query has arrived, and returns it.
   *
   * A trace's spans arrive in pieces (a fetch span ends after the server's span was exported),
   * so a match is returned once every span's parent has arrived too; a trace that still names
   * a missing parent `settle` ms after it matched is returned as it is, for `toBeConnected`
   * to explain. On timeout, the error draws the test's traces and says where the closest one
   * stops short of the query.
   */
  async waitForTrace(query: TraceQuery, options: WaitOptions = {}): Promise<Trace> {
    const location = callerLocation();
    return playwrightTest.step(
      `waitForTrace ${describeTraceQuery(query)}`,
      async () => {
        const result = await this.poll(query, options);
        if (result.trace) return result.trace;
        throw errorAt(result.failure, location);
      },
      location && { location },
    );
  }

  /**
   * Polls until a trace matches (`found`) or, with `absent: true`, until none does, or until the
   * timeout. The failure text says what was seen. Used by `waitForTrace` and `toHaveTrace`.
   */
  async poll(
    query: TraceQuery,
    { timeout = 10_000, settle = 2_000, absent = false }: WaitOptions & { absent?: boolean } = {},
  ): Promise<{ trace?: Trace; failure: string }> {
    const deadline = Date.now() + timeout;
    let matchedAt: number | undefined;
    let clearSince: number | undefined;
    for (;;) {
      const snapshot = await this._snapshot(Math.max(0, Math.min(MAX_IDLE_WAIT_MS, deadline - Date.now())));
      const found = snapshot.own.find((trace) => traceMatches(trace, query));
      if (absent) {
        // Absent means absent for a while: a server's spans come in batches of their own.
        clearSince = found === undefined ? (clearSince ?? Date.now()) : undefined;
        if (clearSince !== undefined && Date.now() - clearSince >= Math.min(ABSENT_QUIET_MS, timeout)) {
          return { failure: '' };
        }
      }
      if (!absent && found) {
        matchedAt ??= Date.now();
        const complete = found.orphans.length === 0;
        if (complete || Date.now() - matchedAt >= settle || Date.now() >= deadline) {
          return { trace: found, failure: '' };
        }
      }
      if (Date.now() >= deadline) {
        if (absent && found === undefined) return { failure: '' };
        const failure = absent
          ? `A trace matched ${describeTraceQuery(query)} (within ${timeout} ms it did not go away):\n${found}`
          : explainNoMatch(query, timeout, snapshot.own, await this._freshBreaks(snapshot.own));
        return { trace: found, failure };
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /** The test's own traces. Flushes the pages first. */
  private async _snapshot(idleMs: number): Promise<{ own: Trace[] }> {
    await flushPages(this._context, idleMs);
    await this._exports.settled();
    const summaries = await this._collector.summaries(this._exports.owner);
    return { own: await Promise.all(summaries.map((summary) => this._trace(summary))) };
  }

  /**
   * The breaks of `traces` as the collector sees them now, not as cached: a verdict that waited
   * for late spans (a server that never sent one) may have fallen due since the trace was read.
   */
  private async _freshBreaks(traces: readonly Trace[]): Promise<TraceBreak[]> {
    const answers = await Promise.all(
      traces.map((trace) => this._collector.trace(trace.traceId).catch(() => ({ breaks: [] }))),
    );
    const byId = new Map(answers.flatMap((answer) => answer.breaks.map((item) => [item.id, item] as const)));
    return [...byId.values()];
  }

  /** The trace of a summary, fetched again only when its span or break count changed. */
  private async _trace(summary: TraceSummary): Promise<Trace> {
    const key = `${summary.spanCount}/${summary.breakCount ?? 0}`;
    const cached = this._cache.get(summary.traceId);
    if (cached?.key === key) return cached.trace;
    const { spans, breaks } = await this._collector.trace(summary.traceId);
    const trace = new Trace(summary.traceId, spans, breaks);
    this._cache.set(summary.traceId, { key, trace });
    return trace;
  }
}

/**
 * An error whose stack is the test's own line: what Playwright's report shows as the failure's
 * place, with the code around it. (`box: true` on the step did not do that: with Playwright 1.65
 * the reported error then had no stack frame at all, so no place; test/browser/report.spec.ts
 * checks the place.)
 */
export function errorAt(message: string, location: Location | undefined): Error {
  const error = new Error(message);
  if (location)
    error.stack = `Error: ${message}\n    at ${location.file}:${location.line}:${location.column}`;
  return error;
}

/** The failure text of a query no trace matched: what arrived, and where it falls short. */
export function explainNoMatch(
  query: TraceQuery,
  timeout: number,
  own: readonly Trace[],
  breaks: readonly TraceBreak[],
): string {
  const lines = [`No trace matched ${describeTraceQuery(query)} within ${timeout} ms.`];
  if (own.length === 0) {
    lines.push(
      "No trace arrived from this test's pages: is the page traced with @clicktrace/web, and does it " +
        'export to a URL matching `clicktraceExportUrl` (default `**/v1/traces`)?',
    );
    return lines.join('\n');
  }
  const closest = closestTrace(query, own);
  if (closest !== undefined) {
    const missing = (query.through ?? []).filter((step) => !reaches(closest, step));
    lines.push(
      missing.length > 0
        ? `The closest, trace ${closest.traceId}, does not reach ${missing.map(describeQuery).join(', ')}:`
        : `The closest, trace ${closest.traceId}, has every step but not the service or attributes asked for.`,
    );
    // The closest trace's breaks first: most likely why it stops short.
    const ordered = [...breaks].sort((a, b) => Number(touches(b, closest)) - Number(touches(a, closest)));
    if (ordered.length > 0) lines.push("Where this test's traces broke, and why:");
    for (const item of ordered) lines.push(`  - ${breakLine(item)}`);
    if (ordered.length === 0 && missing.length > 0) {
      lines.push(
        '  - the collector found no break on the way: did the click send that request, and is the page ' +
          'traced with @clicktrace/web?',
      );
    }
  }
  lines.push("Traces this test's pages produced:", ...own.map((trace) => trace.toString()));
  return lines.join('\n');
}

function touches(item: TraceBreak, trace: Trace): boolean {
  return item.from.traceId === trace.traceId || item.to?.traceId === trace.traceId;
}

/** The trace with the query's root that has the most of its steps. */
function closestTrace(query: TraceQuery, traces: readonly Trace[]): Trace | undefined {
  const root = query.root;
  const rooted =
    root === undefined ? traces : traces.filter((t) => t.roots.some((s) => spanMatches(s, root)));
  let best: Trace | undefined;
  let bestSteps = -1;
  for (const trace of rooted) {
    const steps = (query.through ?? []).filter((step) => reaches(trace, step)).length;
    if (steps > bestSteps) [best, bestSteps] = [trace, steps];
  }
  return best;
}

/**
 * Whether the trace reaches the step. A step that names no kind is reached by a span that is not a
 * CLIENT span: `'POST /api/order'` means the request arrived at the server, not that the page sent
 * it (its fetch span answers to `POST /api/order` too). `{ kind: 'CLIENT' }` asks for the request.
 */
export function reaches(trace: Trace, step: SpanQuery): boolean {
  const kindGiven = typeof step === 'object' && !(step instanceof RegExp) && step.kind !== undefined;
  return trace.spans.some((span) => (kindGiven || span.kind !== 'CLIENT') && spanMatches(span, step));
}

export function traceMatches(trace: Trace, query: TraceQuery): boolean {
  if (query.root !== undefined) {
    const root = query.root;
    if (!trace.roots.some((span) => spanMatches(span, root))) return false;
  }
  for (const step of query.through ?? []) {
    if (!reaches(trace, step)) return false;
  }
  if (query.service !== undefined) {
    const service = query.service;
    if (!trace.spans.some((span) => textMatches(span.serviceName, service))) return false;
  }
  if (query.attributes !== undefined && !trace.find({ attributes: query.attributes })) return false;
  return true;
}

export function describeTraceQuery(query: TraceQuery): string {
  const parts: string[] = [];
  if (query.root !== undefined) parts.push(`root ${describeQuery(query.root)}`);
  if (query.through) parts.push(`through ${query.through.map(describeQuery).join(', ')}`);
  if (query.service !== undefined) parts.push(`service ${describeQuery(query.service)}`);
  if (query.attributes) parts.push(`attributes ${JSON.stringify(query.attributes)}`);
  return `{ ${parts.join('; ')} }`;
}

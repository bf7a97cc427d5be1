/**
 * The waterfall's rows, in order: parents above children, siblings by start time, spans whose
 * parent never arrived as roots. Each break of the trace adds a marker row, and the other
 * trace's part is joined in beside it:
 *
 * - this trace is the upstream part (the break's `from` is here): the marker goes right below
 *   the `from` span, and the spans of the other trace from `to` down are drawn under it;
 * - this trace is the downstream part (`to` is here, `from` elsewhere): the other trace's spans
 *   from its root down to `from` go above the `to` span, then the marker, then `to` and its
 *   spans, indented under the marker.
 */
import type { StoredSpan, TraceBreak } from '../types.js';
import { compareNanos } from './format.js';

export interface SpanRow {
  type: 'span';
  span: StoredSpan;
  depth: number;
  /** Its parent id names a span that is not here. */
  orphan: boolean;
  /** Set for a span of another trace, joined in by a break. */
  joined?: boolean;
}

export interface BreakRow {
  type: 'break';
  brk: TraceBreak;
  depth: number;
  /** The trace at the other end of the break, when it is not this one. */
  otherTraceId?: string;
  /** Whether that trace's part is drawn beside the marker (false: not available). */
  otherShown: boolean;
}

export type WaterfallRow = SpanRow | BreakRow;

export interface WaterfallInput {
  traceId: string;
  spans: readonly StoredSpan[];
  breaks: readonly TraceBreak[];
  /** The spans of the other traces the breaks name, by trace id; a trace not here is not available. */
  others: ReadonlyMap<string, readonly StoredSpan[]>;
}

/** The traces at the other end of this trace's breaks: the ones to load to join them in. */
export function otherTraceIds(traceId: string, breaks: readonly TraceBreak[]): string[] {
  const ids = new Set<string>();
  for (const brk of breaks) {
    if (brk.from.traceId !== traceId) ids.add(brk.from.traceId);
    else if (brk.to && brk.to.traceId !== traceId) ids.add(brk.to.traceId);
  }
  return [...ids];
}

export function waterfallRows({ traceId, spans, breaks, others }: WaterfallInput): WaterfallRow[] {
  const tree = new SpanTree(spans);
  const below = new Map<string, TraceBreak[]>();
  const above = new Map<string, TraceBreak[]>();
  const unplaced: TraceBreak[] = [];
  for (const brk of breaks) {
    if (brk.from.traceId === traceId && tree.has(brk.from.spanId)) push(below, brk.from.spanId, brk);
    else if (brk.to?.traceId === traceId && tree.has(brk.to.spanId)) push(above, brk.to.spanId, brk);
    else unplaced.push(brk);
  }

  const rows: WaterfallRow[] = [];
  tree.walk((span, depth, orphan) => {
    let shift = 0;
    for (const brk of above.get(span.spanId) ?? []) {
      const upstream = others.get(brk.from.traceId);
      const chain = upstream ? new SpanTree(upstream).pathTo(brk.from.spanId) : [];
      chain.forEach((joined, i) => {
        rows.push({ type: 'span', span: joined, depth: depth + shift + i, orphan: false, joined: true });
      });
      shift += chain.length;
      rows.push({
        type: 'break',
        brk,
        depth: depth + shift,
        otherTraceId: brk.from.traceId,
        otherShown: !!upstream,
      });
      shift += 1;
    }
    rows.push({ type: 'span', span, depth: depth + shift, orphan });
    for (const brk of below.get(span.spanId) ?? [])
      rows.push(...belowRows(brk, depth + shift + 1, traceId, others));
    return shift;
  });
  for (const brk of unplaced) {
    const otherTraceId = brk.from.traceId !== traceId ? brk.from.traceId : brk.to?.traceId;
    rows.push({ type: 'break', brk, depth: 0, otherTraceId, otherShown: false });
  }
  return rows;
}

/** The marker below a `from` span, and the downstream trace's part from `to` down, under it. */
function belowRows(
  brk: TraceBreak,
  depth: number,
  traceId: string,
  others: ReadonlyMap<string, readonly StoredSpan[]>,
): WaterfallRow[] {
  const otherTraceId = brk.to && brk.to.traceId !== traceId ? brk.to.traceId : undefined;
  const downstream = otherTraceId ? others.get(otherTraceId) : undefined;
  const rows: WaterfallRow[] = [{ type: 'break', brk, depth, otherTraceId, otherShown: !!downstream }];
  if (!downstream || !brk.to) return rows;
  const tree = new SpanTree(downstream);
  // From `to` down; the whole other trace when `to` is not among its spans.
  const top = tree.has(brk.to.spanId) ? brk.to.spanId : undefined;
  tree.walk((span, level) => {
    rows.push({ type: 'span', span, depth: depth + 1 + level, orphan: false, joined: true });
    return 0;
  }, top);
  return rows;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The parent/child tree of one trace's spans. */
class SpanTree {
  private readonly _byId: Map<string, StoredSpan>;
  private readonly _children = new Map<string, StoredSpan[]>();
  private readonly _roots: StoredSpan[] = [];

  constructor(spans: readonly StoredSpan[]) {
    this._byId = new Map(spans.map((span) => [span.spanId, span]));
    for (const span of spans) {
      const parent = span.parentSpanId;
      if (parent && parent !== span.spanId && this._byId.has(parent)) push(this._children, parent, span);
      else this._roots.push(span);
    }
    const byStart = (a: StoredSpan, b: StoredSpan) => compareNanos(a.startTimeUnixNano, b.startTimeUnixNano);
    this._roots.sort(byStart);
    for (const list of this._children.values()) list.sort(byStart);
  }

  has(spanId: string): boolean {
    return this._byId.has(spanId);
  }

  /** The spans from the root down to `spanId`; [] when it is not here. */
  pathTo(spanId: string): StoredSpan[] {
    const path: StoredSpan[] = [];
    const seen = new Set<string>();
    for (let span = this._byId.get(spanId); span && !seen.has(span.spanId); ) {
      seen.add(span.spanId);
      path.unshift(span);
      span = span.parentSpanId ? this._byId.get(span.parentSpanId) : undefined;
    }
    return path;
  }

  /**
   * Visits the spans depth first, from the roots (or from `top`). `visit` returns how much
   * deeper to draw the span's children than its own depth would put them (rows inserted above it).
   */
  walk(visit: (span: StoredSpan, depth: number, orphan: boolean) => number, top?: string): void {
    const seen = new Set<string>();
    const step = (span: StoredSpan, depth: number): void => {
      if (seen.has(span.spanId)) return; // a cycle in bad data must not hang the page
      seen.add(span.spanId);
      const orphan = depth === 0 && !!span.parentSpanId && span.spanId !== top;
      const shift = visit(span, depth, orphan);
      for (const child of this._children.get(span.spanId) ?? []) step(child, depth + shift + 1);
    };
    const start =
      top === undefined ? this._roots : [this._byId.get(top)].filter((span) => span !== undefined);
    for (const span of start) step(span, 0);
  }
}

import type { StoredSpan, TraceBreak } from '@clicktrace/collector';
import { type SpanQuery, spanMatches } from './span-query.js';

/**
 * One trace as the collector holds it: every span that shares a trace id, with the tree
 * they form. Spans whose parent is not in the trace are "orphans": a broken link.
 */
export class Trace {
  readonly traceId: string;
  readonly spans: readonly StoredSpan[];
  /**
   * Where this trace broke apart from another, and why, as the collector diagnosed it when the
   * trace was read (`GET /api/traces/:traceId`): empty for a healthy trace.
   */
  readonly breaks: readonly TraceBreak[];
  private readonly _byId: Map<string, StoredSpan>;

  constructor(traceId: string, spans: readonly StoredSpan[], breaks: readonly TraceBreak[] = []) {
    this.traceId = traceId;
    this.breaks = breaks;
    this.spans = [...spans].sort(byStartTime);
    this._byId = new Map(this.spans.map((span) => [span.spanId, span]));
  }

  /** Spans without a parent. A connected trace has exactly one. */
  get roots(): StoredSpan[] {
    return this.spans.filter((span) => span.parentSpanId === undefined);
  }

  /** The trace's root span, when it has exactly one. */
  get root(): StoredSpan | undefined {
    const roots = this.roots;
    return roots.length === 1 ? roots[0] : undefined;
  }

  /** Spans that name a parent the trace does not contain. */
  get orphans(): StoredSpan[] {
    return this.spans.filter((span) => span.parentSpanId !== undefined && !this._byId.has(span.parentSpanId));
  }

  parent(span: StoredSpan): StoredSpan | undefined {
    return span.parentSpanId === undefined ? undefined : this._byId.get(span.parentSpanId);
  }

  children(span: StoredSpan): StoredSpan[] {
    return this.spans.filter((candidate) => candidate.parentSpanId === span.spanId);
  }

  /** The first span, in start order, that matches the query. */
  find(query: SpanQuery): StoredSpan | undefined {
    return this.spans.find((span) => spanMatches(span, query));
  }

  filter(query: SpanQuery): StoredSpan[] {
    return this.spans.filter((span) => spanMatches(span, query));
  }

  /** The trace drawn as an indented tree, one span a line: `name [KIND service]`. */
  toString(): string {
    const lines = [`trace ${this.traceId} (${this.spans.length} spans)`];
    const draw = (span: StoredSpan, depth: number): void => {
      lines.push(`${'  '.repeat(depth + 1)}${describeSpan(span)}`);
      for (const child of this.children(span)) draw(child, depth + 1);
    };
    for (const top of [...this.roots, ...this.orphans]) draw(top, 0);
    return lines.join('\n');
  }
}

/** A break as a failure line: its kind, what happened and the fix, as the collector put them. */
export function breakLine(item: TraceBreak): string {
  const where = item.where === undefined ? '' : ` (${item.where})`;
  return `${item.kind}${where}: ${item.summary} Fix: ${item.fix}.`;
}

export function describeSpan(span: StoredSpan): string {
  const orphan = span.parentSpanId === undefined ? '' : ` parent=${span.parentSpanId}`;
  return `${span.name} [${span.kind} ${span.serviceName}] span=${span.spanId}${orphan}`;
}

function byStartTime(a: StoredSpan, b: StoredSpan): number {
  const delta = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
  return delta < 0n ? -1 : delta > 0n ? 1 : 0;
}

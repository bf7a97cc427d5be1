import type { StoredSpan } from '@clicktrace/collector';
import { describeQuery, type SpanQuery, spanMatches } from './span-query.js';
import type { Trace } from './trace.js';

/**
 * The shape a trace must have, from its root down: each node is a span query plus the children
 * that span must have. Children match in any order, each by a different span, and spans the
 * shape does not name are allowed, so a shape states what the story needs and nothing more.
 *
 * @example
 * { span: /click/, children: [{ span: { name: 'POST /api/checkout', kind: 'CLIENT' },
 *     children: [{ span: { name: 'POST /api/checkout', kind: 'SERVER' } }] }] }
 */
export interface SpanTreeShape {
  span: SpanQuery;
  children?: SpanTreeShape[];
}

/** Whether the trace's root has the shape. */
export function matchesShape(trace: Trace, shape: SpanTreeShape): boolean {
  const root = trace.root;
  return root !== undefined && spanHasShape(trace, root, shape);
}

function spanHasShape(trace: Trace, span: StoredSpan, shape: SpanTreeShape): boolean {
  if (!spanMatches(span, shape.span)) return false;
  return assignChildren(trace, trace.children(span), shape.children ?? [], new Set());
}

/** Gives each wanted child its own span (backtracking: the trees are small). */
function assignChildren(
  trace: Trace,
  candidates: StoredSpan[],
  wanted: SpanTreeShape[],
  taken: Set<StoredSpan>,
): boolean {
  const [first, ...rest] = wanted;
  if (first === undefined) return true;
  for (const candidate of candidates) {
    if (taken.has(candidate) || !spanHasShape(trace, candidate, first)) continue;
    taken.add(candidate);
    if (assignChildren(trace, candidates, rest, taken)) return true;
    taken.delete(candidate);
  }
  return false;
}

/** The shape drawn like `Trace.toString()` draws a trace, to show next to it in a failure. */
export function describeShape(shape: SpanTreeShape, depth = 1): string {
  const line = `${'  '.repeat(depth)}${describeQuery(shape.span)}`;
  return [line, ...(shape.children ?? []).map((child) => describeShape(child, depth + 1))].join('\n');
}

/**
 * The deepest point where the trace stops following the shape, in words: the first shape node
 * (depth first) that no span fills, under the span that filled its parent.
 */
export function whereShapeDiffers(trace: Trace, shape: SpanTreeShape): string {
  const root = trace.root;
  if (root === undefined) return `the trace has ${trace.roots.length} root spans, so no single root to match`;
  if (!spanMatches(root, shape.span))
    return `the root span "${root.name}" does not match ${describeQuery(shape.span)}`;
  return missingUnder(trace, root, shape) ?? 'every span of the shape was found';
}

function missingUnder(trace: Trace, span: StoredSpan, shape: SpanTreeShape): string | undefined {
  const children = trace.children(span);
  // Each wanted child takes its own span, as in matching, so a child wanted twice needs two.
  const taken = new Set<StoredSpan>();
  for (const child of shape.children ?? []) {
    const free = children.filter((candidate) => !taken.has(candidate));
    const filled = free.find((candidate) => spanHasShape(trace, candidate, child));
    if (filled) {
      taken.add(filled);
      continue;
    }
    const partly = free.find((candidate) => spanMatches(candidate, child.span));
    if (partly) return missingUnder(trace, partly, child);
    const more = children.some((candidate) => spanMatches(candidate, child.span)) ? ' more' : '';
    return `"${span.name}" has no${more} child matching ${describeQuery(child.span)}`;
  }
  return undefined;
}

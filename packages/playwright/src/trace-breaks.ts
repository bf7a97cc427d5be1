import type { Trace } from './trace.js';
import { breakLine, describeSpan } from './trace.js';

/**
 * Where a trace breaks, in words: an empty list means it is connected (one root, every other
 * span's parent is in the trace, and the collector found no place where its click went on in
 * another trace). A restart by policy is not a break here: the server chose it.
 */
export function findTraceBreaks(trace: Trace): string[] {
  const breaks: string[] = [];
  const roots = trace.roots;
  if (roots.length === 0) breaks.push('it has no root span (every span names a parent)');
  if (roots.length > 1) {
    breaks.push(
      `it has ${roots.length} root spans instead of 1: ${roots.map((root) => root.name).join(', ')}`,
    );
  }
  for (const orphan of trace.orphans) {
    breaks.push(`${describeSpan(orphan)} names parent ${orphan.parentSpanId}, which is not in the trace`);
  }
  for (const item of trace.breaks) if (item.category !== 'policy') breaks.push(breakLine(item));
  return breaks;
}

import { expect as baseExpect } from '@playwright/test';
import { describeQuery, type SpanQuery } from './span-query.js';
import { describeShape, matchesShape, type SpanTreeShape, whereShapeDiffers } from './span-tree.js';
import { Trace } from './trace.js';
import { findTraceBreaks } from './trace-breaks.js';
import { describeTraceQuery, type TraceQuery, Traces, type WaitOptions } from './traces.js';

interface MatcherState {
  isNot: boolean;
  utils: {
    matcherHint(name: string, received: string, expected: string, options: { isNot: boolean }): string;
    printReceived(value: unknown): string;
  };
}

/** The failure for a value that is not a Trace, or undefined when it is one. */
function notATrace(state: MatcherState, name: string, received: unknown) {
  if (received instanceof Trace) return undefined;
  const hint = state.utils.matcherHint(name, 'trace', '', { isNot: state.isNot });
  return {
    pass: state.isNot, // `.not` on a non-trace must fail too
    name,
    message: () =>
      `${hint}\n\nExpected a Trace (from traces.waitForTrace), received ${state.utils.printReceived(received)}`,
  };
}

/**
 * Trace matchers, added to Playwright's `expect`. Each failure draws the trace it saw, one span a
 * line, and says where it falls short; `.not` works on all of them.
 *
 * - `expect(trace).toBeConnected()`: exactly one root, and every other span's parent is in the
 *   trace, so the click and everything it caused form one tree.
 * - `expect(trace).toContainSpan(query)`: some span matches the query.
 * - `expect(trace).toHaveSpanTree(shape)`: the root and its descendants have the shape.
 * - `await expect(traces).toHaveTrace(query)`: polls the test's traces until one matches (or,
 *   with `.not`, until none does), to the timeout; retries like Playwright's web-first assertions.
 */
export const expect = baseExpect.extend({
  toBeConnected(received: unknown) {
    const name = 'toBeConnected';
    const wrong = notATrace(this, name, received);
    if (wrong) return wrong;
    const trace = received as Trace;
    const hint = this.utils.matcherHint(name, 'trace', '', { isNot: this.isNot });
    const breaks = findTraceBreaks(trace);
    const pass = breaks.length === 0;
    const message = pass
      ? () => `${hint}\n\nExpected the trace not to be connected, but it is:\n${trace.toString()}`
      : () => `${hint}\n\nThe trace is broken: ${breaks.join('; ')}.\n${trace.toString()}`;
    return { pass, name, message };
  },

  toContainSpan(received: unknown, query: SpanQuery) {
    const name = 'toContainSpan';
    const wrong = notATrace(this, name, received);
    if (wrong) return wrong;
    const trace = received as Trace;
    const hint = this.utils.matcherHint(name, 'trace', 'query', { isNot: this.isNot });
    const found = trace.find(query);
    const pass = found !== undefined;
    const message = pass
      ? () =>
          `${hint}\n\nExpected no span matching ${describeQuery(query)}, found "${found?.name}":\n${trace.toString()}`
      : () => `${hint}\n\nNo span matches ${describeQuery(query)}.\n${trace.toString()}`;
    return { pass, name, message, expected: describeQuery(query) };
  },

  toHaveSpanTree(received: unknown, shape: SpanTreeShape) {
    const name = 'toHaveSpanTree';
    const wrong = notATrace(this, name, received);
    if (wrong) return wrong;
    const trace = received as Trace;
    const hint = this.utils.matcherHint(name, 'trace', 'shape', { isNot: this.isNot });
    const pass = matchesShape(trace, shape);
    const message = pass
      ? () =>
          `${hint}\n\nExpected the trace not to have the shape:\n${describeShape(shape)}\nbut it does:\n${trace.toString()}`
      : () =>
          `${hint}\n\nThe trace does not have the shape: ${whereShapeDiffers(trace, shape)}.\n` +
          `Expected shape:\n${describeShape(shape)}\nReceived:\n${trace.toString()}`;
    return { pass, name, message };
  },

  async toHaveTrace(received: unknown, query: TraceQuery, options: WaitOptions = {}) {
    const name = 'toHaveTrace';
    const hint = this.utils.matcherHint(name, 'traces', 'query', { isNot: this.isNot });
    if (!(received instanceof Traces)) {
      return {
        pass: this.isNot,
        name,
        message: () =>
          `${hint}\n\nExpected the traces fixture, received ${this.utils.printReceived(received)}`,
      };
    }
    const timeout = options.timeout ?? this.timeout;
    const result = await received.poll(query, { ...options, timeout, absent: this.isNot });
    const pass = this.isNot ? result.failure !== '' : result.trace !== undefined;
    const message = () =>
      this.isNot
        ? `${hint}\n\n${result.failure}`
        : pass
          ? `${hint}\n\nFound a trace matching ${describeTraceQuery(query)}.`
          : `${hint}\n\n${result.failure}`;
    return { pass, name, message };
  },
});

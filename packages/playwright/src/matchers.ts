import { expect as baseExpect } from '@playwright/test';
import { Trace, describeSpan } from './trace.js';

/**
 * Trace matchers, added to Playwright's `expect`.
 *
 * `toBeConnected`: the trace has exactly one root and every other span's parent is in it, so
 * the click and everything it caused form one tree.
 */
export const expect = baseExpect.extend({
  toBeConnected(received: unknown) {
    const name = 'toBeConnected';
    if (!(received instanceof Trace)) {
      return {
        pass: false,
        name,
        message: () => `${name}: expected a Trace (from traces.waitForTrace), got ${typeof received}`,
      };
    }
    const { roots, orphans } = received;
    const pass = roots.length === 1 && orphans.length === 0;
    const problems: string[] = [];
    if (roots.length !== 1) problems.push(`it has ${roots.length} root spans instead of 1`);
    for (const orphan of orphans) {
      problems.push(`${describeSpan(orphan)} names parent ${orphan.parentSpanId}, which is not in the trace`);
    }
    const message = () =>
      pass
        ? `${this.utils.matcherHint(name, 'trace', '', { isNot: this.isNot })}\n\nExpected the trace not to be connected, but it is:\n${received.toString()}`
        : `${this.utils.matcherHint(name, 'trace', '', { isNot: this.isNot })}\n\nThe trace is broken: ${problems.join('; ')}.\n${received.toString()}`;
    return { pass, name, message };
  },
});

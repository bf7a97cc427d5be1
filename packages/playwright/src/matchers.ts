import { expect as baseExpect } from '@playwright/test';
import { Trace } from './trace.js';
import { findTraceBreaks } from './trace-breaks.js';

/**
 * Trace matchers, added to Playwright's `expect`.
 *
 * `toBeConnected`: the trace has exactly one root and every other span's parent is in it, so
 * the click and everything it caused form one tree.
 */
export const expect = baseExpect.extend({
  toBeConnected(received: unknown) {
    const name = 'toBeConnected';
    const hint = this.utils.matcherHint(name, 'trace', '', { isNot: this.isNot });
    if (!(received instanceof Trace)) {
      return {
        pass: false,
        name,
        message: () =>
          `${hint}\n\nExpected a Trace (from traces.waitForTrace), received ${this.utils.printReceived(received)}`,
      };
    }
    const breaks = findTraceBreaks(received);
    const pass = breaks.length === 0;
    const message = pass
      ? () => `${hint}\n\nExpected the trace not to be connected, but it is:\n${received.toString()}`
      : () => `${hint}\n\nThe trace is broken: ${breaks.join('; ')}.\n${received.toString()}`;
    return { pass, name, message };
  },
});

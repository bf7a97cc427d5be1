import type { NodeTracing } from './types.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Exports the spans still queued when the process is told to stop.
 *
 * Any listener replaces Node's default "exit on signal", so ours must not change what the app
 * would have done:
 * - the app has its own handler: flush alongside it and leave exiting to the app;
 * - it has none: after the flush, re-raise the signal with our listener gone, so the process
 *   ends exactly as it would have (killed by that signal, same exit status).
 * `once` means a second Ctrl-C during a slow flush kills at once, as users expect.
 */
export function shutdownOnSignal(tracing: NodeTracing): void {
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      // `once` has already removed us, so what is left is the app's own.
      const appHandlesIt = process.listenerCount(signal) > 0;
      void tracing.shutdown().then(() => {
        if (!appHandlesIt) process.kill(process.pid, signal);
      });
    });
  }
}

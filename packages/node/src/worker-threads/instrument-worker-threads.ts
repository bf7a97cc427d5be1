import type { TracerProvider } from '@opentelemetry/api';
import { continueParentContext } from './continue-parent-context.js';
import { flushBeforeWorkerExit } from './flush-before-worker-exit.js';
import { handOffToWorkers } from './hand-off-to-workers.js';

/**
 * clicktrace's worker_threads support, as ClicktraceInstrumentation turns it on in every thread:
 * Workers constructed here get the active trace context; a Worker that was handed one continues
 * it; a Worker's last spans are flushed before it ends. Returns the undo of all three.
 */
export function instrumentWorkerThreads(tracerProvider: () => TracerProvider): () => void {
  const undo = [handOffToWorkers(), continueParentContext(), flushBeforeWorkerExit(tracerProvider)];
  return () => {
    for (const step of undo) step();
  };
}

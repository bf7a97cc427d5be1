import { isMainThread } from 'node:worker_threads';
import { diag, type TracerProvider } from '@opentelemetry/api';

type Flushable = { forceFlush?: () => Promise<void>; getDelegate?: () => TracerProvider };

/**
 * A Worker thread whose event loop runs dry ends at once, and the batch processor's timer does not
 * keep it alive: the spans it ended last are lost. Node emits `beforeExit` in a Worker too, so
 * this flushes the tracer provider there (once: the flush's own I/O keeps the thread up until it
 * is done, then the thread ends as it would have). `process.exit()` and `worker.terminate()` end
 * the thread without `beforeExit`, and cannot be waited for.
 *
 * Returns the undo. Does nothing on the main thread.
 */
export function flushBeforeWorkerExit(tracerProvider: () => TracerProvider): () => void {
  if (isMainThread) return () => {};
  const flush = (): void => {
    try {
      const provider = tracerProvider() as TracerProvider & Flushable;
      // The API's global provider is a proxy; the SDK's provider behind it can flush.
      const sdk = (provider.getDelegate?.() ?? provider) as TracerProvider & Flushable;
      sdk.forceFlush?.().catch((error: unknown) => diag.warn('@clicktrace/node: flush failed', error));
    } catch (error) {
      diag.warn('@clicktrace/node: flush failed', error);
    }
  };
  process.once('beforeExit', flush);
  return () => {
    process.removeListener('beforeExit', flush);
  };
}

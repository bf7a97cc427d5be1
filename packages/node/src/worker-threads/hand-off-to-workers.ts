import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import { context, diag, propagation } from '@opentelemetry/api';
import { CARRIER_KEY, type Carrier } from './carrier-key.js';

const require = createRequire(import.meta.url);

type Threads = typeof WorkerThreads;
type WorkerClass = Threads['Worker'];

/** Shared by every copy of this package in the thread: the constructor is wrapped only once. */
const INSTALLED = Symbol.for('clicktrace.node.workerThreads');
interface Installed {
  on: boolean;
  original: WorkerClass;
  wrapped: WorkerClass;
}
type Holder = { [INSTALLED]?: Installed };

/**
 * Hands the active trace context to every `worker_threads` Worker constructed while it is active.
 *
 * `worker_threads.Worker` is replaced by a Proxy of itself whose only trap is `construct`: just
 * before the real constructor runs, the active context is injected (the global propagator) into
 * `setEnvironmentData(CARRIER_KEY, carrier)`, which the constructor clones into the new thread,
 * and the previous value is put back right after. `prototype`, `instanceof`, statics and
 * `class X extends Worker` are the real class's. As in patch-builtins.ts, `syncBuiltinESMExports()`
 * carries the replacement into `import { Worker } from 'node:worker_threads'`.
 *
 * Returns the undo: the original export comes back, unless someone wrapped it after us, in which
 * case ours stays in place and passes straight through.
 */
export function handOffToWorkers(): () => void {
  try {
    const threads = require('node:worker_threads') as Threads;
    const holder = globalThis as Holder;
    let installed = holder[INSTALLED];
    if (installed === undefined) {
      installed = wrap(threads);
      holder[INSTALLED] = installed;
      threads.Worker = installed.wrapped;
      syncBuiltinESMExports();
    }
    const current = installed;
    current.on = true;
    return () => {
      current.on = false;
      if (threads.Worker !== current.wrapped) return;
      threads.Worker = current.original;
      syncBuiltinESMExports();
      if (holder[INSTALLED] === current) holder[INSTALLED] = undefined;
    };
  } catch (error) {
    diag.warn('@clicktrace/node: could not hand trace context to worker_threads Workers', error);
    return () => {};
  }
}

function wrap(threads: Threads): Installed {
  const original = threads.Worker;
  const installed: Installed = { on: true, original, wrapped: original };
  installed.wrapped = new Proxy(original, {
    construct(target, args, newTarget) {
      const restore = installed.on ? stashActiveContext(threads) : undefined;
      try {
        return Reflect.construct(target, args, newTarget);
      } finally {
        restore?.();
      }
    },
  });
  return installed;
}

/** Puts the active context where the next Worker takes it; returns how to put things back. Never throws. */
function stashActiveContext(threads: Threads): (() => void) | undefined {
  try {
    const carrier: Carrier = {};
    propagation.inject(context.active(), carrier);
    const hasContext = Object.keys(carrier).length > 0;
    const previous = threads.getEnvironmentData(CARRIER_KEY);
    // Nothing to hand on, and nothing inherited by this thread to keep from leaking on.
    if (!hasContext && previous === undefined) return undefined;
    threads.setEnvironmentData(CARRIER_KEY, hasContext ? carrier : undefined);
    return () => {
      try {
        threads.setEnvironmentData(CARRIER_KEY, previous as WorkerThreads.Serializable);
      } catch (error) {
        diag.debug('@clicktrace/node: could not restore the worker environment data', error);
      }
    };
  } catch (error) {
    diag.debug('@clicktrace/node: could not hand the trace context to a Worker', error);
    return undefined;
  }
}

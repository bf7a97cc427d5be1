import { getEnvironmentData, isMainThread } from 'node:worker_threads';
import {
  type Context,
  type ContextManager,
  context,
  diag,
  propagation,
  ROOT_CONTEXT,
} from '@opentelemetry/api';
import { CARRIER_KEY, type Carrier } from './carrier-key.js';

/** The API's accessor of the registered context manager (api 1.x; not in its typings). */
type ContextApiInternals = { _getContextManager?: () => ContextManager };

const PROBE = ROOT_CONTEXT.setValue(Symbol('clicktrace.node.probe'), true);

/**
 * In a Worker thread constructed while a trace context was active (hand-off-to-workers.ts), makes
 * that context the thread's default: wherever no other context is active (`context.active()` is
 * the root context), the registered context manager answers the parent's context instead. So
 * the worker's top-level run, its timers, promises and event handlers continue the trace that was
 * active at `new Worker(...)`, while code inside `context.with(...)` keeps its own context.
 *
 * Why not `AsyncLocalStorage.enterWith` from the preload: on Node 22 it carries into the main
 * script, but on Node 24 (AsyncContextFrame) the main module runs in a continuation captured
 * before the `--import` preload was evaluated, so it sees nothing.
 *
 * NodeSDK registers its context manager and propagator after enabling instrumentations, so when
 * none is registered yet this waits one microtask (NodeSDK.start() is synchronous).
 *
 * Returns the undo. Does nothing on the main thread or in a Worker that was handed no context.
 */
export function continueParentContext(): () => void {
  if (isMainThread) return () => {};
  let carrier: unknown;
  try {
    carrier = getEnvironmentData(CARRIER_KEY);
  } catch {
    return () => {};
  }
  if (typeof carrier !== 'object' || carrier === null) return () => {};
  const handedOn = carrier as Carrier;
  let undo: (() => void) | undefined;
  let stopped = false;
  const install = (): boolean => {
    if (stopped) return true;
    if (!contextManagerRegistered()) return false;
    undo = defaultToContext(propagation.extract(ROOT_CONTEXT, handedOn));
    return true;
  };
  try {
    if (!install()) {
      queueMicrotask(() => {
        try {
          if (!install()) diag.debug('@clicktrace/node: no context manager registered in this Worker');
        } catch (error) {
          diag.warn('@clicktrace/node: could not continue the trace context in this Worker', error);
        }
      });
    }
  } catch (error) {
    diag.warn('@clicktrace/node: could not continue the trace context in this Worker', error);
  }
  return () => {
    stopped = true;
    undo?.();
    undo = undefined;
  };
}

/** Whether a real context manager is registered (the API's no-op one never changes context). */
function contextManagerRegistered(): boolean {
  return context.with(PROBE, () => context.active() === PROBE);
}

/** Patches the registered context manager's `active()`; returns the undo. */
function defaultToContext(parent: Context): (() => void) | undefined {
  if (parent === ROOT_CONTEXT) return undefined; // nothing was extracted
  const manager = (context as unknown as ContextApiInternals)._getContextManager?.();
  if (manager === undefined) return undefined;
  const hadOwn = Object.hasOwn(manager, 'active');
  const original = manager.active;
  const active = function active(this: ContextManager): Context {
    const current = original.call(this);
    return current === ROOT_CONTEXT ? parent : current;
  };
  manager.active = active;
  return () => {
    if (manager.active !== active) return;
    if (hadOwn) manager.active = original;
    else delete (manager as Partial<ContextManager>).active;
  };
}

import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * The zone property that holds the active context. Exported so that an interaction's zone can carry
 * its context itself (interaction.ts): one zone per click listener instead of two.
 */
export const ZONE_CONTEXT_KEY = 'clicktrace.context';

/** An EventTarget-like object whose listeners `bind` binds. */
interface ListenerTarget {
  addEventListener(type: string, listener: unknown, options?: unknown): void;
  removeEventListener(type: string, listener: unknown, options?: unknown): void;
}

/** The event targets `bind` patched already: each is patched once, as upstream does. */
const boundTargets = new WeakSet<object>();

/**
 * The context manager of the OpenTelemetry API on zone.js: the active context is a property of the
 * current zone, and `with` runs its function in a fork of the current zone that holds the context,
 * so timers, promises and listeners scheduled there run in it too.
 *
 * It behaves as @opentelemetry/context-zone-peer-dep's ZoneContextManager does (each `with` forks
 * a zone named `otel:with:<fn.name>`; `bind` wraps a function, or patches an event target's
 * `addEventListener` so the listeners added from then on are bound), with its key exported: see
 * ZONE_CONTEXT_KEY.
 */
export class ZoneContextManager implements ContextManager {
  #enabled = false;

  active(): Context {
    if (!this.#enabled) return ROOT_CONTEXT;
    return (Zone.current.get(ZONE_CONTEXT_KEY) as Context | undefined) ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const zone = Zone.current.fork({
      name: fn.name ? `otel:with:${fn.name}` : 'otel:with',
      properties: { [ZONE_CONTEXT_KEY]: context },
    });
    return zone.run(fn, thisArg, args) as ReturnType<F>;
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target === 'function')
      return this.#bindFunction(context, target as (...args: unknown[]) => unknown) as T;
    if (isListenerTarget(target)) this.#bindListeners(context, target);
    return target;
  }

  enable(): this {
    this.#enabled = true;
    return this;
  }

  disable(): this {
    this.#enabled = false;
    return this;
  }

  #bindFunction(context: Context, target: (...args: unknown[]) => unknown): typeof target {
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => target.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { configurable: true, value: target.length });
    return bound;
  }

  /** Every listener added to `target` from now on runs in `context` (the first bind of a target wins). */
  #bindListeners(context: Context, target: ListenerTarget): void {
    if (boundTargets.has(target)) return;
    boundTargets.add(target);
    // One bound function per listener, whatever the event type: removeEventListener finds it again.
    const bound = new WeakMap<object, unknown>();
    const add = target.addEventListener;
    const remove = target.removeEventListener;
    const manager = this;
    target.addEventListener = function (this: unknown, type, listener, options) {
      if (typeof listener === 'function' && !bound.has(listener))
        bound.set(listener, manager.bind(context, listener));
      return add.call(this, type, (listener && bound.get(listener)) ?? listener, options);
    };
    target.removeEventListener = function (this: unknown, type, listener, options) {
      return remove.call(this, type, (listener && bound.get(listener)) ?? listener, options);
    };
  }
}

function isListenerTarget(value: unknown): value is ListenerTarget {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ListenerTarget>).addEventListener === 'function' &&
    typeof (value as Partial<ListenerTarget>).removeEventListener === 'function'
  );
}

import { type Context, type ContextManager, diag, trace } from '@opentelemetry/api';

/**
 * Wraps the ZoneContextManager so that, where zone.js holds no span, the interaction scope's
 * choice is the active context (see interaction-scope.ts: the one interaction being dispatched,
 * else the only open one, else nothing).
 *
 * Our fetch/XHR instrumentation asks the scope itself (`chooseParent`); this wrapper is how any
 * other code that only calls `context.active()` (a span the app starts itself, another
 * instrumentation) sees the scope: code zone.js never saw (inline `onclick=""` attributes, native
 * `await` continuations, `MessageChannel` hops, scripts loaded before zone.js) gets the
 * interaction's context. Contexts made this way are marked, so `parentSourceOf` can tell.
 * Wrapping instead of subclassing keeps the zone manager's own behaviour untouched.
 *
 * Limitation: an explicit `context.with(ROOT_CONTEXT, fn)` while an interaction is open is
 * indistinguishable from "no context" and also falls back to the scope.
 */
export class InteractionContextManager implements ContextManager {
  readonly #inner: ContextManager;
  readonly #fallback: (active: Context) => Context | undefined;

  constructor(inner: ContextManager, fallback: (active: Context) => Context | undefined) {
    this.#inner = inner;
    this.#fallback = fallback;
  }

  active(): Context {
    const context = this.#inner.active();
    if (trace.getSpan(context)) return context;
    try {
      return this.#fallback(context) ?? context;
    } catch (error) {
      diag.error('clicktrace: interaction context lookup failed', error);
      return context;
    }
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#inner.with(context, fn, thisArg, ...args);
  }

  bind<T>(context: Context, target: T): T {
    return this.#inner.bind(context, target);
  }

  enable(): this {
    this.#inner.enable();
    return this;
  }

  disable(): this {
    this.#inner.disable();
    return this;
  }
}

import { type Context, type ContextManager, diag, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * Wraps the ZoneContextManager so that, where zone.js holds no context, the interaction being
 * dispatched right now is the active context.
 *
 * Inline `onclick="..."` attributes are compiled and called by the browser itself, not through
 * zone.js's addEventListener, so the zone patch never sees them; this fallback makes at least
 * their synchronous part (a fetch called directly in the attribute) a child of the click.
 * Wrapping instead of subclassing keeps the zone manager's own behaviour untouched.
 *
 * Limitation: an explicit `context.with(ROOT_CONTEXT, fn)` during dispatch is indistinguishable
 * from "no context" and also falls back to the interaction.
 */
export class InteractionContextManager implements ContextManager {
  readonly #inner: ContextManager;
  readonly #fallback: () => Context | undefined;

  constructor(inner: ContextManager, fallback: () => Context | undefined) {
    this.#inner = inner;
    this.#fallback = fallback;
  }

  active(): Context {
    const context = this.#inner.active();
    if (context !== ROOT_CONTEXT) return context;
    try {
      return this.#fallback() ?? context;
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

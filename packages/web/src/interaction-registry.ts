import type { Context } from '@opentelemetry/api';

/**
 * The interactions whose events are being dispatched (or whose spans have not ended yet),
 * shared by the capture listener that starts them, the zone patch that runs listeners in them,
 * and the context manager that falls back to them for inline handlers.
 */
export class InteractionRegistry {
  // Keyed by the Event object: the zone patch only sees the event, and a WeakMap lets an
  // interaction that never ends (page frozen before its timer) be collected with its event.
  readonly #contexts = new WeakMap<Event, Context>();
  // In start order; short (one entry per event in flight, usually one).
  readonly #open: Event[] = [];

  begin(event: Event, context: Context): void {
    this.#contexts.set(event, context);
    this.#open.push(event);
  }

  end(event: Event): void {
    this.#contexts.delete(event);
    const index = this.#open.indexOf(event);
    if (index !== -1) this.#open.splice(index, 1);
  }

  contextOf(event: unknown): Context | undefined {
    return event instanceof Event ? this.#contexts.get(event) : undefined;
  }

  /**
   * The context of the innermost interaction whose event is still being dispatched. Code the
   * browser runs outside zone.js during dispatch (inline `onclick=""` attributes) gets it.
   */
  dispatchingContext(): Context | undefined {
    for (let i = this.#open.length - 1; i >= 0; i--) {
      const event = this.#open[i];
      // eventPhase returns to NONE as soon as dispatch is over, before our end timer fires.
      if (event && event.eventPhase !== Event.NONE) return this.#contexts.get(event);
    }
    return undefined;
  }
}

import type { Context, Span } from '@opentelemetry/api';

/** How the user produced an interaction's event: `clicktrace.interaction.input`. */
export type InteractionInput = 'pointer' | 'keyboard' | 'programmatic';

/**
 * One user interaction: a root span, its context, and what is known about the work it started.
 * The mutable fields are the lifetime's bookkeeping (see interaction-lifetime.ts).
 */
export interface Interaction {
  readonly span: Span;
  /** `trace.setSpan(ROOT_CONTEXT, span)`: what the interaction's listeners and tasks run in. */
  readonly context: Context;
  readonly traceId: string;
  /** The event that started it, then any event that joined it (nested click, the submit of a click). */
  readonly events: Event[];
  /** The element the span names (nearest interactive ancestor of the first event's target). */
  readonly element: Element | undefined;
  /** Epoch milliseconds when the first event was seen. */
  readonly startTime: number;
  /** The first event's dispatch (and anything the browser ran in the same task) is over. */
  dispatchOver: boolean;
  /** Zone tasks (macro and micro, not event tasks) scheduled in the interaction's zones, not yet run. */
  readonly pendingTasks: Set<Task>;
  /** Child spans (any span of the interaction's trace) started and not yet ended. */
  openSpans: number;
  /** Child spans ever started: an interaction with none is dropped unless `keepEmptyInteractions`. */
  childSpans: number;
  /** Epoch milliseconds when the last known work (listener, task, child span) ended. */
  lastWorkEnd: number;
  ended: boolean;
}

/**
 * The open interactions, shared by the capture listener that starts them, the zone patch that
 * runs listeners in them, the span processor that counts their child spans, and the interaction
 * scope that offers them to code zone.js never saw.
 */
export class InteractionRegistry {
  // Keyed by the Event object: the zone patch only sees the event, and a WeakMap lets an
  // interaction that never ends (page frozen) be collected with its events.
  readonly #byEvent = new WeakMap<Event, Interaction>();
  readonly #byTrace = new Map<string, Interaction>();
  // In start order; short (one entry per interaction in flight, usually one).
  readonly #open: Interaction[] = [];

  add(interaction: Interaction): void {
    this.#open.push(interaction);
    this.#byTrace.set(interaction.traceId, interaction);
    for (const event of interaction.events) this.#byEvent.set(event, interaction);
  }

  /** Makes `event` part of `interaction`: its listeners run in the interaction's context. */
  join(event: Event, interaction: Interaction): void {
    if (interaction.events.includes(event)) return;
    interaction.events.push(event);
    this.#byEvent.set(event, interaction);
  }

  remove(interaction: Interaction): void {
    this.#byTrace.delete(interaction.traceId);
    for (const event of interaction.events) this.#byEvent.delete(event);
    const index = this.#open.indexOf(interaction);
    if (index !== -1) this.#open.splice(index, 1);
  }

  /** The open interaction an event belongs to. */
  ofEvent(event: unknown): Interaction | undefined {
    return event instanceof Event ? this.#byEvent.get(event) : undefined;
  }

  /** The open interaction whose trace this is. */
  ofTrace(traceId: string): Interaction | undefined {
    return this.#byTrace.get(traceId);
  }

  /** Open interactions, oldest first (a copy). */
  open(): Interaction[] {
    return [...this.#open];
  }

  /** The open interaction when there is exactly one, else undefined. */
  only(): Interaction | undefined {
    return this.#open.length === 1 ? this.#open[0] : undefined;
  }

  /**
   * The innermost open interaction one of whose events is being dispatched right now. Code the
   * browser runs outside zone.js during dispatch (inline `onclick=""` attributes) belongs to it,
   * with no ambiguity even when other interactions are open.
   */
  dispatching(): Interaction | undefined {
    for (let i = this.#open.length - 1; i >= 0; i--) {
      const interaction = this.#open[i];
      // eventPhase returns to NONE as soon as dispatch is over.
      if (interaction?.events.some((event) => event.eventPhase !== Event.NONE)) return interaction;
    }
    return undefined;
  }
}

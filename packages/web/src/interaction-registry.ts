import { type ContextManager, ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { Interaction } from './interaction.js';
import type { InteractionEnd, InteractionLifetime } from './interaction-lifetime.js';

/** What the registry needs to start and watch interactions. */
export interface InteractionRegistryOptions {
  lifetime: InteractionLifetime;
  /** The zone.js context manager: what context code runs in, without the interaction scope's fallback. */
  zoneContextManager: ContextManager;
}

/**
 * The open interactions, and how to find one: by event (the zone patch runs listeners in it), by
 * trace (the span processor counts its child spans), as the only or the dispatching one (the
 * interaction scope offers it to code zone.js never saw). Each Interaction owns its own state; the
 * registry only knows which are open, and forgets one as it ends.
 */
export class InteractionRegistry {
  readonly #lifetime: InteractionLifetime;
  readonly #zoneContextManager: ContextManager;
  // Keyed by the Event object: the zone patch only sees the event, and a WeakMap lets an
  // interaction that never ends (page frozen) be collected with its events.
  readonly #byEvent = new WeakMap<Event, Interaction>();
  readonly #byTrace = new Map<string, Interaction>();
  // Every interaction span, open or ended: the span processor decides whether to export it as it ends.
  readonly #bySpan = new WeakMap<object, Interaction>();
  // In start order. A Set: a page clicked fast holds hundreds open (each waits out its quiet
  // period), and each click adds one and removes one.
  readonly #open = new Set<Interaction>();
  // The open interactions that may have an event in dispatch: started in this task (their first
  // dispatch is not known to be over) or joined by an event since. What `dispatching()` and the
  // label rule look at, pruned as they look, so that a click costs the same however many others
  // are still open.
  #maybeDispatching: Interaction[] = [];

  constructor({ lifetime, zoneContextManager }: InteractionRegistryOptions) {
    this.#lifetime = lifetime;
    this.#zoneContextManager = zoneContextManager;
  }

  /** Starts an interaction for `event` with its root span, open until the lifetime says its work is over. */
  begin(span: Span, event: Event, element: Element | undefined): Interaction {
    const interaction = new Interaction({
      span,
      event,
      element,
      lifetime: this.#lifetime,
      onEnd: (ended) => this.#remove(ended),
    });
    this.#open.add(interaction);
    this.#maybeDispatching.push(interaction);
    this.#byTrace.set(interaction.traceId, interaction);
    this.#bySpan.set(span, interaction);
    this.#byEvent.set(event, interaction);
    return interaction;
  }

  /**
   * Makes `event` part of `interaction` (its listeners run in the interaction's context), or notes
   * that an event already part of it is being dispatched again: either way it may be dispatching.
   */
  join(event: Event, interaction: Interaction): void {
    if (interaction.join(event)) this.#byEvent.set(event, interaction);
    if (!this.#maybeDispatching.includes(interaction)) this.#maybeDispatching.push(interaction);
  }

  /** The open interaction an event belongs to. */
  ofEvent(event: unknown): Interaction | undefined {
    return event instanceof Event ? this.#byEvent.get(event) : undefined;
  }

  /** The open interaction whose trace this is. */
  ofTrace(traceId: string): Interaction | undefined {
    return this.#byTrace.get(traceId);
  }

  /** The interaction whose own span this is, open or ended. */
  ofSpan(span: object): Interaction | undefined {
    return this.#bySpan.get(span);
  }

  /** How many interactions are open. */
  get size(): number {
    return this.#open.size;
  }

  /** The newest open interaction that matches. */
  newest(predicate: (interaction: Interaction) => boolean): Interaction | undefined {
    return newestOf([...this.#open], predicate);
  }

  /** The newest open interaction that may have an event in dispatch now, that matches. */
  newestMaybeDispatching(predicate: (interaction: Interaction) => boolean): Interaction | undefined {
    this.#maybeDispatching = this.#maybeDispatching.filter(
      (interaction) => !interaction.ended && (!interaction.dispatchOver || interaction.isDispatching()),
    );
    return newestOf(this.#maybeDispatching, predicate);
  }

  /** The open interaction when there is exactly one, else undefined. */
  only(): Interaction | undefined {
    if (this.#open.size !== 1) return undefined;
    for (const interaction of this.#open) return interaction;
    return undefined;
  }

  /**
   * The innermost open interaction one of whose events is being dispatched right now. Code the
   * browser runs outside zone.js during dispatch (inline `onclick=""` attributes) belongs to it,
   * with no ambiguity even when other interactions are open.
   */
  dispatching(): Interaction | undefined {
    return this.newestMaybeDispatching((interaction) => interaction.isDispatching());
  }

  /** Ends every open interaction now, for `reason` (see Interaction.end). */
  endAll(reason: Exclude<InteractionEnd, 'idle' | 'capped'>): void {
    for (const interaction of [...this.#open]) interaction.end(reason);
  }

  /**
   * From the scheduleTask patch: a macrotask was scheduled. One zone.js scheduled with no context
   * while exactly one interaction is open is that interaction's work, if the lifetime counts it.
   */
  adoptContextless(task: Task): void {
    // Every macrotask of the page passes here: the common case (no single open interaction) first.
    const interaction = this.only();
    if (!interaction || interaction.ended || !this.#lifetime.countsContextless(task)) return;
    if (this.#zoneContextManager.active() !== ROOT_CONTEXT) return;
    interaction.adopt(task);
  }

  #remove(interaction: Interaction): void {
    this.#byTrace.delete(interaction.traceId);
    for (const event of interaction.events) this.#byEvent.delete(event);
    this.#open.delete(interaction);
    // Not kept alive (its span, its events, the clicked element) until the next lookup prunes it.
    const index = this.#maybeDispatching.indexOf(interaction);
    if (index !== -1) this.#maybeDispatching.splice(index, 1);
  }
}

function newestOf(
  interactions: readonly Interaction[],
  predicate: (interaction: Interaction) => boolean,
): Interaction | undefined {
  for (let i = interactions.length - 1; i >= 0; i--) {
    const interaction = interactions[i];
    if (interaction && predicate(interaction)) return interaction;
  }
  return undefined;
}

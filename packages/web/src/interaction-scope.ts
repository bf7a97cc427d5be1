import { type Context, context, createContextKey, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import type { Interaction } from './interaction.js';
import type { InteractionRegistry } from './interaction-registry.js';

/**
 * The interaction scope: the safety net for code zone.js never saw.
 *
 * zone.js carries the interaction's context through timers, zone promises and listeners, but
 * not through a native `await` (without the Vite plugin), a script loaded from a CDN before
 * zone.js, or a `MessageChannel` hop. There the active context holds no span. The scope's rule:
 *
 * 1. the active context holds a span: that is the parent (`context`);
 * 2. else, an interaction whose event is being dispatched right now (an inline `onclick=""`
 *    attribute runs during dispatch, outside zone.js): that one (`interaction-scope`);
 * 3. else, EXACTLY ONE interaction is open: that one (`interaction-scope`);
 * 4. else (none open, or several: we cannot tell which click this work belongs to): no parent,
 *    the span is a new root (`none`). Never cross-wire two interactions that overlap in time.
 *
 * An interaction is open from its event until the work it started is over (see interaction.ts
 * and interaction-lifetime.ts), so a contextless fetch made while exactly one click is in flight
 * joins that click; an unrelated contextless fetch made at that moment (a poller) joins it too:
 * that is the price of the net.
 */

/** How a span's parent was chosen: the value of `clicktrace.parent.source`. */
export type ParentSource = 'context' | 'interaction-scope' | 'none';

/** A parent context for a new span and how it was chosen. */
export interface ParentChoice {
  /** The context to start the span in (pass it to `tracer.startSpan(name, options, context)`). */
  context: Context;
  source: ParentSource;
  /**
   * With `none`: how many interactions were open (0: none, background work; 2 or more: several,
   * so the context was lost where no single one could be chosen).
   */
  open?: number;
}

/** Marks a context the scope made: its value is the interaction span the scope put in it. */
const SCOPE_KEY = createContextKey('clicktrace.interaction-scope');

/** The interaction scope over one registry of open interactions (see above). */
export class InteractionScope {
  readonly #interactions: InteractionRegistry;
  /** The marked context of each interaction, for code with no context at all (the common case). */
  readonly #scopedRoots = new WeakMap<Interaction, Context>();

  constructor(interactions: InteractionRegistry) {
    this.#interactions = interactions;
  }

  /**
   * The interaction the scope would choose for spanless code right now (rules 2 and 3), as a
   * context derived from `base` (which keeps its other values, e.g. baggage), marked as the scope's.
   * Undefined when the rule gives no parent.
   */
  contextFor(base: Context): Context | undefined {
    const interaction = this.#interactions.dispatching() ?? this.#interactions.only();
    if (!interaction) return undefined;
    if (base !== ROOT_CONTEXT)
      return trace.setSpan(base, interaction.span).setValue(SCOPE_KEY, interaction.span);
    let scoped = this.#scopedRoots.get(interaction);
    if (!scoped) {
      scoped = interaction.context.setValue(SCOPE_KEY, interaction.span);
      this.#scopedRoots.set(interaction, scoped);
    }
    return scoped;
  }

  /**
   * Chooses the parent of a span about to start (the fetch and XHR instrumentations call it):
   * the active context when it holds a span (`context`; `interaction-scope` when that span was put
   * there by the scope), else the scope's interaction (`interaction-scope`), else the active
   * context, which holds no span, so the span is a new root (`none`, with the number of
   * interactions open: the registry's count, kept as they open and end).
   */
  chooseParent(): ParentChoice {
    const active = context.active();
    if (trace.getSpan(active)) return { context: active, source: parentSourceOf(active) };
    const scoped = this.contextFor(active);
    return scoped
      ? { context: scoped, source: 'interaction-scope' }
      : { context: active, source: 'none', open: this.#interactions.size };
  }
}

/** How the parent in `parentContext` was chosen (for `clicktrace.parent.source`). */
export function parentSourceOf(parentContext: Context): ParentSource {
  const span: Span | undefined = trace.getSpan(parentContext);
  if (!span) return 'none';
  return parentContext.getValue(SCOPE_KEY) === span ? 'interaction-scope' : 'context';
}

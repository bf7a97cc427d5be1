import {
  type Attributes,
  type Context,
  diag,
  ROOT_CONTEXT,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { describeTarget, interactionElement, shortName, type TargetDescription } from './describe-target.js';
import type { Interaction } from './interaction.js';
import {
  ATTR_EVENT_TYPE,
  ATTR_INTERACTION_INPUT,
  ATTR_TARGET_ID,
  ATTR_TARGET_LABEL,
  ATTR_TARGET_TAG,
  ATTR_TARGET_XPATH,
} from './interaction-attributes.js';
import type { InteractionRegistry } from './interaction-registry.js';

/** The events that start an interaction. */
export const INTERACTION_EVENTS = ['click', 'submit'] as const;

/** How the user produced an interaction's event: `clicktrace.interaction.input`. */
export type InteractionInput = 'pointer' | 'keyboard' | 'programmatic';

/** Where to listen, and what an interaction is made with. */
export interface InteractionListenerOptions {
  target: Window;
  tracer: Tracer;
  interactions: InteractionRegistry;
  /** The context zone.js holds right now, without the interaction scope's fallback. */
  zoneContext: () => Context;
}

/**
 * Starts one root span per interaction, whatever listeners the page has.
 *
 * One capture listener on the window sees each event first, before any listener of the page
 * (unless the page added a window capture listener before it: see nativeListenerMethods),
 * so there is exactly one span per event (not one per listener), and test tools' own listeners
 * add nothing. An event that is part of an interaction already open joins it instead of starting
 * a root (see `interactionToJoin`). The interaction decides when its span ends (interaction.ts).
 * Returns the function that removes the listener and ends open interactions.
 */
export function listenForInteractions({
  target,
  tracer,
  interactions,
  zoneContext,
}: InteractionListenerOptions): () => void {
  function onInteractionEvent(event: Event): void {
    try {
      const joined = interactions.ofEvent(event) ?? interactionToJoin(event, interactions, zoneContext);
      if (joined) {
        interactions.join(event, joined);
        return;
      }
      const element = interactionElement(event.target);
      const description = element ? describeTarget(element) : undefined;
      const span = tracer.startSpan(
        `${event.type} ${description ? shortName(description) : 'document'}`,
        {
          kind: SpanKind.INTERNAL,
          root: true,
          attributes: interactionAttributes(event, description),
        },
        ROOT_CONTEXT,
      );
      interactions.begin(span, event, element);
    } catch (error) {
      diag.error('clicktrace: could not start the interaction span', error);
    }
  }

  // Through the browser's own addEventListener, as zone.js saved it: our listener is then no zone
  // task (zone.js's event-task machinery was a measured part of a click's cost), and it runs in
  // the zone of the code that dispatched the event, which is how `interactionToJoin` can tell
  // a `button.click()` made from an open interaction's context.
  const { add, remove } = nativeListenerMethods(target);
  for (const type of INTERACTION_EVENTS) add.call(target, type, onInteractionEvent, { capture: true });
  return function stopListening() {
    for (const type of INTERACTION_EVENTS) remove.call(target, type, onInteractionEvent, { capture: true });
    interactions.endAll('shutdown');
  };
}

/**
 * `addEventListener` and `removeEventListener` as they were before zone.js patched them, unless
 * the page already has a capture listener for one of our events on `target` through zone.js:
 * zone.js adds one browser listener per event type and phase, for its first listener, so every
 * listener the page added through it later would run before a native one of ours. Then ours goes
 * through zone.js too, after the earlier ones and before the later ones, as it always did.
 */
function nativeListenerMethods(target: EventTarget): {
  add: EventTarget['addEventListener'];
  remove: EventTarget['removeEventListener'];
} {
  const saved = target as unknown as Record<string, unknown>;
  const add = saved[Zone.__symbol__('addEventListener')] as EventTarget['addEventListener'] | undefined;
  const remove = saved[Zone.__symbol__('removeEventListener')] as
    | EventTarget['removeEventListener']
    | undefined;
  // zone.js keeps a target's capture listeners of an event under `__zone_symbol__<event>true`.
  const zoneListens = INTERACTION_EVENTS.some((type) => saved[Zone.__symbol__(`${type}true`)]);
  return add && remove && !zoneListens
    ? { add, remove }
    : { add: target.addEventListener, remove: target.removeEventListener };
}

/**
 * The open interaction an event belongs to instead of starting its own root:
 *
 * - an event dispatched while another interaction's event is being dispatched (`other.click()`
 *   inside a click listener) runs in that outer interaction;
 * - an untrusted event dispatched from code running in an open interaction's context (a
 *   `button.click()` from a click's timer) belongs to that interaction;
 * - a `submit` whose submitter is (or contains) the target of an open click: the browser fires it
 *   as that click's activation behaviour (also for Enter in a text field, which clicks the
 *   default button first);
 * - a `click` the browser forwards from a `<label>` to its control, in the label click's task.
 */
export function interactionToJoin(
  event: Event,
  registry: InteractionRegistry,
  zoneContext: () => Context,
): Interaction | undefined {
  const dispatching = registry.dispatching();
  if (dispatching) return dispatching;
  if (!event.isTrusted) {
    const span = trace.getSpan(zoneContext());
    const running = span ? registry.ofTrace(span.spanContext().traceId) : undefined;
    if (running) return running;
  }
  if (event.type === 'submit') {
    const submitter = (event as SubmitEvent).submitter;
    if (!submitter) return undefined;
    return registry.newest((interaction) =>
      interaction.events.some(
        (candidate) =>
          candidate.type === 'click' &&
          candidate.target instanceof Node &&
          submitter.contains(candidate.target),
      ),
    );
  }
  if (event.type === 'click' && event.target instanceof Element) {
    const control = event.target;
    return registry.newestMaybeDispatching(
      (interaction) =>
        !interaction.dispatchOver &&
        interaction.element instanceof HTMLLabelElement &&
        interaction.element.control === control,
    );
  }
  return undefined;
}

/**
 * How the user produced the event. Untrusted events (`element.click()`, `dispatchEvent`) are
 * `programmatic`. A trusted click with `detail === 0` and no pointer type is the keyboard
 * activation of a button or link (Enter, Space); any other trusted click is `pointer`. A trusted
 * submit that no click started is the implicit submission of a form (Enter in a field) when the
 * page has transient user activation (`keyboard`), else `requestSubmit()` from code
 * (`programmatic`): both come without a submitter and trusted.
 */
export function inputOf(event: Event): InteractionInput {
  if (!event.isTrusted) return 'programmatic';
  if (event.type === 'submit') {
    const activation = (globalThis.navigator as Partial<Navigator> | undefined)?.userActivation;
    return activation && !activation.isActive ? 'programmatic' : 'keyboard';
  }
  const pointerType = (event as Partial<PointerEvent>).pointerType;
  if (event instanceof MouseEvent && event.detail === 0 && !pointerType) return 'keyboard';
  return 'pointer';
}

function interactionAttributes(event: Event, description: TargetDescription | undefined): Attributes {
  const attributes: Attributes = { [ATTR_EVENT_TYPE]: event.type, [ATTR_INTERACTION_INPUT]: inputOf(event) };
  if (!description) return attributes;
  attributes[ATTR_TARGET_TAG] = description.tag;
  attributes[ATTR_TARGET_XPATH] = description.xpath;
  if (description.id) attributes[ATTR_TARGET_ID] = description.id;
  if (description.label) attributes[ATTR_TARGET_LABEL] = description.label;
  return attributes;
}

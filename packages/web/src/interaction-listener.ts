import {
  type Attributes,
  diag,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { describeTarget, interactionElement, shortName, type TargetDescription } from './describe-target.js';
import {
  ATTR_EVENT_TYPE,
  ATTR_TARGET_ID,
  ATTR_TARGET_LABEL,
  ATTR_TARGET_TAG,
  ATTR_TARGET_XPATH,
} from './interaction-attributes.js';
import type { InteractionRegistry } from './interaction-registry.js';

/** The events that start an interaction. */
export const INTERACTION_EVENTS = ['click', 'submit'] as const;

/**
 * Starts one root span per interaction event, whatever listeners the page has.
 *
 * One capture listener on the window sees each event first, before any listener of the page,
 * so there is exactly one span per event (not one per listener), and test tools' own listeners
 * add nothing. The span ends from a macrotask queued here: dispatch is synchronous, so by then
 * every listener has run. Returns the function that removes the listener and ends open spans.
 */
export function listenForInteractions(
  target: Window,
  tracer: Tracer,
  registry: InteractionRegistry,
): () => void {
  const open = new Map<Event, Span>();

  function endInteraction(event: Event): void {
    const span = open.get(event);
    open.delete(event);
    registry.end(event);
    span?.end();
  }

  function onInteractionEvent(event: Event): void {
    try {
      const element = interactionElement(event.target);
      const description = element ? describeTarget(element) : undefined;
      const span = tracer.startSpan(
        `${event.type} ${description ? shortName(description) : 'document'}`,
        { kind: SpanKind.INTERNAL, root: true, attributes: interactionAttributes(event.type, description) },
        ROOT_CONTEXT,
      );
      open.set(event, span);
      registry.begin(event, trace.setSpan(ROOT_CONTEXT, span));
      // From the root zone, so the timer carries no context and no framework zone (Angular's
      // change detection) is woken for our bookkeeping.
      Zone.root.run(() => setTimeout(() => endInteraction(event), 0));
    } catch (error) {
      diag.error('clicktrace: could not start the interaction span', error);
    }
  }

  for (const type of INTERACTION_EVENTS) target.addEventListener(type, onInteractionEvent, { capture: true });
  return function stopListening() {
    for (const type of INTERACTION_EVENTS)
      target.removeEventListener(type, onInteractionEvent, { capture: true });
    for (const event of [...open.keys()]) endInteraction(event);
  };
}

function interactionAttributes(type: string, description: TargetDescription | undefined): Attributes {
  const attributes: Attributes = { [ATTR_EVENT_TYPE]: type };
  if (!description) return attributes;
  attributes[ATTR_TARGET_TAG] = description.tag;
  attributes[ATTR_TARGET_XPATH] = description.xpath;
  if (description.id) attributes[ATTR_TARGET_ID] = description.id;
  if (description.label) attributes[ATTR_TARGET_LABEL] = description.label;
  return attributes;
}

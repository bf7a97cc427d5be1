/**
 * Attribute keys of the interaction span.
 *
 * The OpenTelemetry semantic conventions have no attributes for DOM events or their targets
 * (as of 1.45), so these live under our own `clicktrace.` prefix rather than squatting on a
 * namespace the conventions may define later with other meanings.
 */
/** The DOM event type: `click`, `submit`. */
export const ATTR_EVENT_TYPE = 'clicktrace.event.type';
/** Lower-case tag name of the element acted on (the nearest interactive ancestor of the target). */
export const ATTR_TARGET_TAG = 'clicktrace.target.tag';
/** Its id, when it has one. */
export const ATTR_TARGET_ID = 'clicktrace.target.id';
/** Its short human label: aria-label, button caption or trimmed text. */
export const ATTR_TARGET_LABEL = 'clicktrace.target.label';
/** Its XPath-like location, anchored at the nearest ancestor with an id. */
export const ATTR_TARGET_XPATH = 'clicktrace.target.xpath';

/**
 * Attribute keys of the interaction span, and the ones of our own on request (CLIENT) spans.
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
/** How the user produced the event: `pointer`, `keyboard` (Enter/Space on a button: a click with detail 0) or `programmatic` (untrusted: `element.click()`, `dispatchEvent`). */
export const ATTR_INTERACTION_INPUT = 'clicktrace.interaction.input';
/** `true` when the interaction was still busy 10 s after its event and was ended there. */
export const ATTR_INTERACTION_CAPPED = 'clicktrace.interaction.capped';
/**
 * How the interaction span ended: `idle` (the work it started was over), `capped` (still busy
 * 10 s after its event), `hidden` (the page was hidden), `pagehide` (the page was left),
 * `freeze` (the page was frozen) or `shutdown` (`tracing.shutdown()`).
 */
export const ATTR_INTERACTION_END = 'clicktrace.interaction.end';
/**
 * On CLIENT spans: how their parent was chosen. `context` (the active context held a span),
 * `interaction-scope` (no context; the one open interaction, see interaction-scope.ts) or `none`
 * (a root span: no context, and zero or several interactions open).
 */
export const ATTR_PARENT_SOURCE = 'clicktrace.parent.source';
/**
 * On CLIENT spans whose parent source is `none`: how many interactions were open as the request
 * started. 0: a background request; 2 or more: the context was lost while several were open.
 */
export const ATTR_PARENT_OPEN_INTERACTIONS = 'clicktrace.parent.open_interactions';
/** On CLIENT spans: whether the request's origin is not the page's. */
export const ATTR_REQUEST_CROSS_ORIGIN = 'clicktrace.request.cross_origin';
/** On CLIENT spans: whether trace headers were added to the request. */
export const ATTR_TRACE_HEADERS_SENT = 'clicktrace.trace_headers.sent';
/** On CLIENT spans that sent them: the names of the trace headers added, lower-case. */
export const ATTR_TRACE_HEADERS_NAMES = 'clicktrace.trace_headers.names';
/** On CLIENT spans that did not send them: why not (`NotSentReason`, request-instrumentation.ts). */
export const ATTR_TRACE_HEADERS_NOT_SENT_REASON = 'clicktrace.trace_headers.not_sent_reason';
/**
 * On CLIENT spans of requests that failed with no response: whether it looks like a CORS refusal
 * (cross-origin, trace headers sent, a network error: all a page script sees of a refused preflight).
 */
export const ATTR_CORS_REFUSAL_LIKELY = 'clicktrace.cors.refusal_likely';
/**
 * On CLIENT spans: the origin a request carrying trace headers was redirected to, when that origin
 * is not one trace headers may go to (the browser sent them there anyway). Absent otherwise.
 */
export const ATTR_TRACE_HEADERS_REDIRECTED_TO = 'clicktrace.trace_headers.redirected_to';

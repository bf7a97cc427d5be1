import type { IncomingHttpHeaders } from 'node:http';
import { type Attributes, propagation, trace } from '@opentelemetry/api';
import type { ServerSpanParent } from './trust-incoming.js';

/*
 * What a server span says about the trace headers of its request, so that a collector can name why
 * a trace broke between a caller and this server ("traceparent arrived, but this server reads only
 * b3") without the server logging anything. Header names only: no value is recorded but the two
 * ids of a caller the span did not continue, which the caller's own span already holds.
 */

/** The trace-context headers that arrived, from {@link TRACE_HEADERS} (string[], always set). */
export const ATTR_TRACE_HEADERS_RECEIVED = 'clicktrace.trace_headers.received';
/** The headers the server's propagator reads: the global propagator's `fields()`, lowercase. */
export const ATTR_TRACE_HEADERS_EXTRACTS = 'clicktrace.trace_headers.extracts';
/** The format whose header carried the caller that was extracted ({@link TraceHeadersPropagator}). */
export const ATTR_TRACE_HEADERS_PROPAGATOR = 'clicktrace.trace_headers.propagator';
/** What became of the caller's trace ({@link TraceHeadersOutcome}). */
export const ATTR_TRACE_HEADERS_OUTCOME = 'clicktrace.trace_headers.outcome';
/** The caller's trace id, from its headers, when the span did not continue it. */
export const ATTR_TRACE_HEADERS_CALLER_TRACE_ID = 'clicktrace.trace_headers.caller_trace_id';
/** The caller's span id, from its headers, when the span did not continue it. */
export const ATTR_TRACE_HEADERS_CALLER_SPAN_ID = 'clicktrace.trace_headers.caller_span_id';

/**
 * - `continued`: the span's parent is the caller's span (under `'always'` or `'ids-only'`);
 * - `restarted-by-policy`: a valid caller was extracted, and `trustIncoming` said `'restart'`;
 * - `restarted-invalid`: a header the server reads arrived, but gave no valid caller;
 * - `started`: no header the server reads arrived (none at all, or only formats it does not read).
 */
export type TraceHeadersOutcome = 'continued' | 'restarted-by-policy' | 'restarted-invalid' | 'started';

/** The format that carried the extracted caller, told by where its trace id was found. */
export type TraceHeadersPropagator = 'tracecontext' | 'b3' | 'b3multi' | 'jaeger' | 'unknown';

/**
 * The trace-context headers of the formats in use: W3C Trace Context, B3 (single and multiple
 * headers), Jaeger, OpenTracing's, AWS X-Ray, Google Cloud, Datadog and Sentry.
 */
export const TRACE_HEADERS: readonly string[] = [
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'uber-trace-id',
  'ot-tracer-traceid',
  'ot-tracer-spanid',
  'x-amzn-trace-id',
  'x-cloud-trace-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'sentry-trace',
];

type HeaderValue = IncomingHttpHeaders[string];

// Shared by every request that has none: the SDK copies attribute values when a span starts.
const NONE: string[] = [];

/**
 * Records the trace-header attributes of each request on its server span. One per start of the
 * instrumentation: the header names the propagator reads are computed here once, and again only
 * when the global propagator's `fields()` change (a user's NodeSDK registers its propagator after
 * enabling the instrumentations).
 */
export class TraceHeaderEvidence {
  #fields: readonly string[] | undefined;
  #extracts: string[] = NONE;
  /** The `extracts` that identify a caller (all but W3C Baggage) among TRACE_HEADERS… */
  #readsKnown: ReadonlySet<string> = new Set();
  /** …and the others (a user's own propagator's), looked up on each request. */
  #readsOther: readonly string[] = NONE;

  constructor() {
    this.#refresh();
  }

  /**
   * Adds the attributes of a request to its span's start attributes. `parent` is what
   * `applyTrustIncoming()` made of it: the valid remote `caller` the propagator extracted, if any,
   * and the span's parent `context`, which holds a span context only when it continues that caller.
   */
  add(attributes: Attributes, headers: IncomingHttpHeaders, parent: ServerSpanParent): void {
    const received = receivedTraceHeaders(headers);
    attributes[ATTR_TRACE_HEADERS_RECEIVED] = received;
    this.#refresh();
    attributes[ATTR_TRACE_HEADERS_EXTRACTS] = this.#extracts;
    const caller = parent.caller;
    if (caller !== undefined) {
      attributes[ATTR_TRACE_HEADERS_PROPAGATOR] = propagatorOf(headers, caller.traceId);
      if (trace.getSpanContext(parent.context) !== undefined) {
        attributes[ATTR_TRACE_HEADERS_OUTCOME] = 'continued';
        return;
      }
    }
    attributes[ATTR_TRACE_HEADERS_OUTCOME] =
      caller !== undefined
        ? 'restarted-by-policy'
        : this.#readsAny(headers, received)
          ? 'restarted-invalid'
          : 'started';
    if (received !== NONE) addCallerIds(attributes, headers);
  }

  #refresh(): void {
    let fields: readonly string[] = NONE;
    try {
      const returned: unknown = propagation.fields();
      if (Array.isArray(returned)) fields = returned;
    } catch {
      // A propagator without a working fields(): nothing is known of what it reads.
    }
    if (sameItems(fields, this.#fields)) return;
    this.#fields = fields;
    const extracts = fields.filter((name) => typeof name === 'string').map((name) => name.toLowerCase());
    const reads = extracts.filter((name) => name !== 'baggage');
    this.#extracts = extracts;
    this.#readsKnown = new Set(reads.filter((name) => KNOWN.has(name)));
    this.#readsOther = reads.filter((name) => !KNOWN.has(name));
  }

  #readsAny(headers: IncomingHttpHeaders, received: readonly string[]): boolean {
    for (const name of received) if (this.#readsKnown.has(name)) return true;
    for (const name of this.#readsOther) if (headers[name] !== undefined) return true;
    return false;
  }
}

/** Each of {@link TRACE_HEADERS} with its bit in a mask of them. */
const KNOWN = new Map(TRACE_HEADERS.map((name, index) => [name, 1 << index]));

/**
 * The names of {@link TRACE_HEADERS} that `headers` (Node's, lowercase) has, in that list's order.
 * One pass over the request's headers (a dozen or so: cheaper than sixteen lookups of names that
 * are mostly missing), marking the ones found in a bit mask that is then read in order.
 */
export function receivedTraceHeaders(headers: IncomingHttpHeaders): string[] {
  let found = 0;
  for (const name in headers) found |= KNOWN.get(name) ?? 0;
  if (found === 0) return NONE;
  const received: string[] = [];
  for (let index = 0; found !== 0; index++, found >>>= 1) {
    if ((found & 1) === 1) received.push(TRACE_HEADERS[index] as string);
  }
  return received;
}

function sameItems(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Which header carried `traceId`, whatever propagator read it: `traceparent` contains it, `b3`
 * starts with it, `x-b3-traceid` is it, `uber-trace-id` starts with it. When a caller sent the same
 * id in several formats, the first of that list is named.
 */
export function propagatorOf(headers: IncomingHttpHeaders, traceId: string): TraceHeadersPropagator {
  const traceparent = headers.traceparent;
  if (
    typeof traceparent === 'string' &&
    (traceparent.startsWith(traceId, 3) || traceparent.includes(traceId))
  )
    return 'tracecontext';
  if (startsWithId(headers.b3, traceId, '-')) return 'b3';
  if (startsWithId(headers['x-b3-traceid'], traceId, '')) return 'b3multi';
  // Jaeger's fields are separated by `:`, which may come URL-encoded (`%3A`).
  if (startsWithId(headers['uber-trace-id'], traceId, ':%')) return 'jaeger';
  return 'unknown';
}

/** Whether `value` is `id`, or starts with it followed by one of `separators`. */
function startsWithId(value: HeaderValue, id: string, separators: string): boolean {
  if (typeof value !== 'string') return false;
  const end = idEnd(value, id);
  return end !== -1 && (end === value.length || separators.includes(value.charAt(end)));
}

const ZERO = 0x30;

/**
 * Where `id` ends in `value` when `value` starts with it, written in full or with its leading zeros
 * left out (64-bit B3 ids, and Jaeger's, are padded with zeros on the left when read); else -1.
 */
function idEnd(value: string, id: string): number {
  if (value.startsWith(id)) return id.length;
  let from = 0;
  while (id.charCodeAt(from) === ZERO) from++;
  if (from === 0) return -1;
  let at = 0;
  while (value.charCodeAt(at) === ZERO) at++;
  for (let i = from; i < id.length; i++, at++) if (value.charCodeAt(at) !== id.charCodeAt(i)) return -1;
  return at;
}

// https://www.w3.org/TR/trace-context/#version-format: version "-" trace-id "-" parent-id "-"
// trace-flags, lowercase hex; a later version may add fields after another "-".
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(?:-|$)/;
// https://github.com/openzipkin/b3-propagation#single-header: {TraceId}-{SpanId}[-{Sampled}[-{ParentSpanId}]].
const B3 = /^([0-9a-f]{32}|[0-9a-f]{16})-([0-9a-f]{16})(?:-|$)/i;
const B3_TRACE_ID = /^(?:[0-9a-f]{16}){1,2}$/i;
const B3_SPAN_ID = /^[0-9a-f]{16}$/i;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

/**
 * The ids a well-formed `traceparent`, else `b3`, else `x-b3-traceid` + `x-b3-spanid` carried, as
 * a propagator would read them (64-bit B3 trace ids padded to 32 digits), when they are not zero.
 */
function addCallerIds(attributes: Attributes, headers: IncomingHttpHeaders): void {
  const ids = traceparentIds(headers.traceparent) ?? b3Ids(headers.b3) ?? b3MultiIds(headers);
  if (ids === undefined) return;
  attributes[ATTR_TRACE_HEADERS_CALLER_TRACE_ID] = ids[0];
  attributes[ATTR_TRACE_HEADERS_CALLER_SPAN_ID] = ids[1];
}

type Ids = [traceId: string, spanId: string];

function traceparentIds(value: HeaderValue): Ids | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  // "Version ff is invalid."
  if (match === null || match[1] === 'ff') return undefined;
  return nonZero(match[2] as string, match[3] as string);
}

function b3Ids(value: HeaderValue): Ids | undefined {
  if (typeof value !== 'string') return undefined;
  const match = B3.exec(value);
  return match === null ? undefined : nonZero(match[1] as string, match[2] as string);
}

function b3MultiIds(headers: IncomingHttpHeaders): Ids | undefined {
  const traceId = headers['x-b3-traceid'];
  const spanId = headers['x-b3-spanid'];
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
  if (!B3_TRACE_ID.test(traceId) || !B3_SPAN_ID.test(spanId)) return undefined;
  return nonZero(traceId, spanId);
}

function nonZero(traceId: string, spanId: string): Ids | undefined {
  const fullTraceId = (traceId.length === 16 ? ZERO_SPAN_ID + traceId : traceId).toLowerCase();
  const lowerSpanId = spanId.toLowerCase();
  if (fullTraceId === ZERO_TRACE_ID || lowerSpanId === ZERO_SPAN_ID) return undefined;
  return [fullTraceId, lowerSpanId];
}

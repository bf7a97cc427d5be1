import {
  type Context,
  createContextKey,
  isSpanContextValid,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  type TraceState,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';

/*
 * W3C Trace Context, written from the specification's text rather than adapted from
 * @opentelemetry/core's W3CTraceContextPropagator. The sections implemented are quoted beside the
 * code that implements them:
 *
 * - Trace Context (Level 1, W3C Recommendation): https://www.w3.org/TR/trace-context/
 * - Trace Context Level 2 (Candidate Recommendation Draft): https://www.w3.org/TR/trace-context-2/,
 *   for the random-trace-id flag, the tracestate key grammar (`@` anywhere but first) and
 *   duplicated tracestate keys (one entry kept, not the whole header discarded).
 *
 * Where the spec leaves a choice ("MAY discard the entire header"), we follow the W3C's own
 * conformance suite (w3c/trace-context, test/test.py, SPEC_LEVEL 2, STRICT_LEVEL 2).
 *
 * How this differs from core's propagator, each with a test in test/w3c-trace-context.test.ts:
 * duplicated traceparent headers restart the trace; only SP/HTAB count as optional whitespace;
 * unknown trace-flags bits are not echoed (core writes a 3-digit flags field for them); tracestate
 * keys follow the Level 2 grammar (core still checks Level 1's, and drops `foo@` or `foo@bar@baz`);
 * a repeated tracestate key keeps its left-most entry where it stands (core keeps the left-most
 * value at the right-most position); a tracestate that breaks the grammar or has more than 32
 * members is discarded as a whole (core keeps a cleaned-up subset); truncation to 512 characters
 * drops entries longer than 128 characters first; an empty tracestate is not sent; and the Level 2
 * random flag is set on traces started here and kept on traces continued from a caller.
 */

export const TRACE_PARENT_HEADER = 'traceparent';
export const TRACE_STATE_HEADER = 'tracestate';

/**
 * https://www.w3.org/TR/trace-context-2/#random-trace-id-flag: "The second least significant bit
 * of the trace-flags field denotes the random-trace-id flag. … If that flag is set, at least the
 * right-most 7 bytes of the trace-id MUST be selected randomly (or pseudo-randomly) with uniform
 * distribution over the interval [0..2^56-1]."
 */
export const RANDOM_TRACE_ID_FLAG = 0x02;

/**
 * https://www.w3.org/TR/trace-context/#other-flags: "The behavior of other flags, such as
 * (00000100) is not defined and is reserved for future use. Vendors MUST set those to zero."
 * Level 2 defines bit 1 (random), so sampled and random are the only bits we read or write.
 */
const KNOWN_FLAGS = TraceFlags.SAMPLED | RANDOM_TRACE_ID_FLAG;

/** A traceparent that passed every check of the spec, its flags reduced to the bits we know. */
export interface ParsedTraceparent {
  /** The version the caller sent; we always answer with `00`, the highest we know. */
  version: string;
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/**
 * https://www.w3.org/TR/trace-context/#traceparent-header-field-values
 * ```
 * HEXDIGLC = DIGIT / "a" / "b" / "c" / "d" / "e" / "f" ; lowercase hex character
 * value           = version "-" version-format
 * version         = 2HEXDIGLC   ; this document assumes version 00. Version ff is forbidden
 * version-format   = trace-id "-" parent-id "-" trace-flags
 * trace-id         = 32HEXDIGLC  ; 16 bytes array identifier. All zeroes forbidden
 * parent-id        = 16HEXDIGLC  ; 8 bytes array identifier. All zeroes forbidden
 * trace-flags      = 2HEXDIGLC   ; 8 bit flags.
 * ```
 * Uppercase hex is not HEXDIGLC, so `00-0AF7…` is invalid: "Vendors MUST ignore the traceparent
 * when the parent-id is invalid (for example, if it contains non-lowercase hex characters)."
 */
const HEX2 = /^[0-9a-f]{2}$/;
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

/** Length of a version 00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
const TRACEPARENT_00_LENGTH = 55;

/**
 * Parses one `traceparent` field value, or returns undefined when the spec says to ignore it
 * (and so restart the trace). Never throws, whatever it is given.
 *
 * - OWS: an HTTP field value is `OWS field-value OWS` (RFC 7230 §3.2), and OWS is spaces and
 *   horizontal tabs only, so those are trimmed and nothing else is (the W3C suite's
 *   `test_traceparent_ows_handling` sends `\t 00-…-01 \t` and expects it continued).
 * - Several traceparent fields: traceparent is not a list-valued field, so an HTTP recipient that
 *   got it twice sees either an array or the fields joined by commas (RFC 7230 §3.2.2). Either is
 *   invalid: the suite's `test_traceparent_duplicated` expects a new trace id.
 * - Versioning, https://www.w3.org/TR/trace-context/#versioning-of-traceparent:
 *   "When the version prefix cannot be parsed (it's not 2 hex characters followed by a dash (-)),
 *   the implementation should restart the trace. If a higher version is detected, the
 *   implementation SHOULD try to parse it by trying the following: If the size of the header is
 *   shorter than 55 characters, the vendor should not parse the header and should restart the
 *   trace. Parse trace-id (from the first dash through the next 32 characters). Vendors MUST check
 *   that the 32 characters are hex, and that they are followed by a dash (-). Parse parent-id (from
 *   the second dash at the 35th position through the next 16 characters). Vendors MUST check that
 *   the 16 characters are hex and followed by a dash. Parse the sampled bit of flags (2 characters
 *   from the third dash). Vendors MUST check that the 2 characters are either the end of the string
 *   or a dash." Version 00 itself has no room for more: its value is exactly 55 characters.
 */
export function parseTraceparent(value: unknown): ParsedTraceparent | undefined {
  let field = value;
  if (Array.isArray(field)) {
    if (field.length !== 1) return undefined;
    field = field[0];
  }
  if (typeof field !== 'string') return undefined;
  const header = trimOws(field);
  if (header.length < TRACEPARENT_00_LENGTH || header.includes(',')) return undefined;

  const version = header.slice(0, 2);
  if (!HEX2.test(version) || version === 'ff' || header[2] !== '-') return undefined;
  if (version === '00' && header.length !== TRACEPARENT_00_LENGTH) return undefined;
  if (header.length > TRACEPARENT_00_LENGTH && header[TRACEPARENT_00_LENGTH] !== '-') return undefined;

  const traceId = header.slice(3, 35);
  const spanId = header.slice(36, 52);
  const flags = header.slice(53, 55);
  if (!TRACE_ID.test(traceId) || header[35] !== '-') return undefined;
  if (!SPAN_ID.test(spanId) || header[52] !== '-') return undefined;
  if (!HEX2.test(flags)) return undefined;
  // https://www.w3.org/TR/trace-context/#a-traceparent-is-received: "The vendor will only parse the
  // trace-flags values supported by this version of this specification and ignore all other values."
  return { version, traceId, spanId, traceFlags: Number.parseInt(flags, 16) & KNOWN_FLAGS };
}

/**
 * https://www.w3.org/TR/trace-context-2/#key
 * ```
 * key = ( lcalpha / DIGIT ) 0*255 ( keychar )
 * keychar    = lcalpha / DIGIT / "_" / "-"/ "*" / "/" / "@"
 * lcalpha    = %x61-7A ; a-z
 * ```
 * "A key MUST begin with a lowercase letter or a digit and contain up to 256 characters including
 * lowercase letters (a-z), digits (0-9), underscores (_), dashes (-), asterisks (*), forward
 * slashes (/), and at signs (@)."
 *
 * This replaces Level 1's `simple-key / multi-tenant-key` (one `@`, a tenant-id of at most 241
 * characters, a system-id of at most 14 starting with a letter), which @opentelemetry/core still
 * checks. So `foo@`, `foo@@bar`, `foo@bar@baz`, `t@1v` and `t@` + 15 characters are valid keys
 * now; `@foo` (an `@` first) and any key over 256 characters are not. The conformance suite at
 * SPEC_LEVEL 2 expects the former propagated.
 */
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;

/**
 * https://www.w3.org/TR/trace-context/#value
 * ```
 * value    = 0*255(chr) nblk-chr
 * nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
 * chr      = %x20 / nblk-chr
 * ```
 */
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * https://www.w3.org/TR/trace-context-2/#list: `list = list-member 0*31( OWS "," OWS list-member )`;
 * "There can be a maximum of 32 list-members in a list." The limit is on the list as received,
 * so it counts repeated keys too (see {@link parseTracestate}).
 */
const MAX_MEMBERS = 32;

/**
 * https://www.w3.org/TR/trace-context-2/#tracestate-limits: "Vendors SHOULD propagate at least 512
 * characters of a combined header. This length includes commas required to separate list items
 * and optional white space (OWS) characters." We propagate exactly up to 512 (the members we
 * re-serialize carry no OWS and no repeated key), which bounds what an untrusted caller can make
 * us forward.
 */
export const MAX_TRACESTATE_LENGTH = 512;

/** "Entries larger than 128 characters long SHOULD be removed first." */
const LARGE_ENTRY = 128;

export function isValidTracestateKey(key: string): boolean {
  return KEY.test(key);
}

export function isValidTracestateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Parses the `tracestate` field(s). Undefined means "no tracestate": the header was absent or
 * empty, or it broke the rules and is discarded as a whole. Never throws.
 *
 * https://www.w3.org/TR/trace-context-2/#tracestate-header-field-values: "When receiving multiple
 * tracestate header fields, they MUST be combined into a single header according to RFC9110."
 * "Spaces and horizontal tabs surrounding list-members are ignored. There can be a maximum of 32
 * list-members in a list. Empty and whitespace-only list members are allowed."
 *
 * https://www.w3.org/TR/trace-context/#a-traceparent-is-received: "If the tracestate header cannot
 * be parsed the vendor MAY discard the entire header. Invalid tracestate entries MAY also be
 * discarded." We discard the entire header for an invalid member or a 33rd member, as the
 * conformance suite expects (test_tracestate_key_illegal_characters,
 * test_tracestate_key_illegal_vendor_format, test_tracestate_member_count_limit,
 * test_tracestate_value_illegal_characters): keeping part of a list we know to be corrupt would
 * forward a vendor's entry that may not be the one it wrote.
 *
 * A repeated key is not a reason to discard the header (Level 2; test_tracestate_duplicated_keys
 * expects the tracestate inherited with a `foo` entry). What Level 2 says:
 * - https://www.w3.org/TR/trace-context-2/#combined-header-value: "Only one entry per key is
 *   allowed because the entry represents that last position in the trace. Hence vendors must
 *   overwrite their entry upon reentry to their tracing system." Its example: not
 *   `congo=congosFirstPosition,rojo=rojosFirstPosition,congo=congosSecondPosition` but
 *   `congo=congosSecondPosition,rojo=rojosFirstPosition`.
 * - https://www.w3.org/TR/trace-context-2/#mutating-the-tracestate-field: "Add a new key/value
 *   pair. The new key/value pair SHOULD be added to the beginning of the list. Adding a key/value
 *   pair MUST NOT result in the same key being present multiple times." and, under "Delete a
 *   key/value pair": "Finally, vendors MAY also discard duplicate keys that were not generated by
 *   them." (We generate no tracestate key of our own, so every key here is someone else's.)
 *
 * So we keep one entry per key, the left-most, where it stands, and drop the later ones. New and
 * modified entries go to the left, so the left-most entry of a key is the one its vendor wrote
 * last: a vendor that prepended its new position without removing the old one (the very mistake
 * the MUST NOT above forbids) leaves its current position first and a stale one to the right.
 * Across several header fields the same holds, as they are combined in the order received (RFC
 * 9110 §5.3). Keeping the first also keeps every other entry's order, as "the order of unmodified
 * key/value pairs MUST be preserved" asks.
 *
 * Repeated keys count towards the 32 list-members: that limit is the list's grammar
 * (`0*31( OWS "," OWS list-member )`), met or broken by the header as it arrived, before we drop
 * anything; it also bounds the work an untrusted caller can ask of us. The 512-character
 * truncation applies after de-duplication, to the header we send on (see {@link truncate}).
 */
export function parseTracestate(value: unknown): W3CTraceState | undefined {
  const combined = Array.isArray(value) ? value.join(',') : value;
  if (typeof combined !== 'string') return undefined;
  const entries: [string, string][] = [];
  const keys = new Set<string>();
  let members = 0;
  for (const rawMember of combined.split(',')) {
    const member = trimOws(rawMember);
    if (member === '') continue;
    if (++members > MAX_MEMBERS) return undefined;
    const equals = member.indexOf('=');
    if (equals <= 0) return undefined;
    const key = member.slice(0, equals);
    const memberValue = member.slice(equals + 1);
    if (!isValidTracestateKey(key) || !isValidTracestateValue(memberValue)) return undefined;
    // A repeated key: the left-most entry, already kept, is the most recent one.
    if (keys.has(key)) continue;
    keys.add(key);
    entries.push([key, memberValue]);
  }
  return entries.length === 0 ? undefined : new W3CTraceState(entries);
}

/**
 * An immutable tracestate whose every entry is valid, whose keys are unique and which never
 * serializes to more than 32 members or {@link MAX_TRACESTATE_LENGTH} characters.
 *
 * https://www.w3.org/TR/trace-context-2/#mutating-the-tracestate-field: "Update key value. The
 * value of any key can be updated. Modified keys MUST be moved to the beginning (left) of the
 * list." "Add a new key/value pair. The new key/value pair SHOULD be added to the beginning of the
 * list. Adding a key/value pair MUST NOT result in the same key being present multiple times."
 * `set` does both: the key's old entry, if any, goes, and the new one comes first.
 */
export class W3CTraceState implements TraceState {
  /** Left to right, as in the header. */
  readonly #entries: readonly (readonly [string, string])[];

  constructor(entries: readonly (readonly [string, string])[] = []) {
    this.#entries = truncate(entries);
  }

  set(key: string, value: string): W3CTraceState {
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return this;
    return new W3CTraceState([[key, value], ...this.#entries.filter(([k]) => k !== key)]);
  }

  unset(key: string): W3CTraceState {
    return new W3CTraceState(this.#entries.filter(([k]) => k !== key));
  }

  get(key: string): string | undefined {
    return this.#entries.find(([k]) => k === key)?.[1];
  }

  serialize(): string {
    return this.#entries.map(([key, value]) => `${key}=${value}`).join(',');
  }
}

/**
 * https://www.w3.org/TR/trace-context-2/#tracestate-limits: "In a situation where tracestate is
 * truncated due to the total size of the header value, the vendor MUST truncate whole entries.
 * Entries larger than 128 characters long SHOULD be removed first. Then entries SHOULD be removed
 * starting from the end of tracestate." The size is that of the header we send: its keys unique
 * (parseTracestate and set() see to it), so a repeated key never costs another entry its place.
 */
function truncate(entries: readonly (readonly [string, string])[]): readonly (readonly [string, string])[] {
  const kept = entries.slice(0, MAX_MEMBERS);
  const size = (entry: readonly [string, string]) => entry[0].length + 1 + entry[1].length;
  let length = kept.reduce((sum, entry) => sum + size(entry), 0) + Math.max(0, kept.length - 1);
  while (length > MAX_TRACESTATE_LENGTH) {
    let index = kept.findLastIndex((entry) => size(entry) > LARGE_ENTRY);
    if (index === -1) index = kept.length - 1;
    const [removed] = kept.splice(index, 1);
    length -= size(removed as readonly [string, string]) + (kept.length > 0 ? 1 : 0);
  }
  return kept;
}

/** OWS = *( SP / HTAB ), https://httpwg.org/specs/rfc7230.html#whitespace. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  return value.slice(start, end);
}

/**
 * Where the trace id of the current trace came from, when it came from a caller: set by every
 * extraction (ours, and the other propagators' through {@link markRemoteTrace}). A trace id absent
 * from it was generated in this process.
 */
export interface RemoteTrace {
  traceId: string;
  /** The caller's random-trace-id flag, which a continued trace keeps. */
  random: boolean;
}

const REMOTE_TRACE = createContextKey('clicktrace remote trace origin');

export function markRemoteTrace(context: Context, remote: RemoteTrace): Context {
  return context.setValue(REMOTE_TRACE, remote);
}

export function getRemoteTrace(context: Context): RemoteTrace | undefined {
  return context.getValue(REMOTE_TRACE) as RemoteTrace | undefined;
}

export interface W3CTraceContextPropagatorOptions {
  /**
   * Set the random-trace-id flag on traces this process starts. True by default, because the
   * SDK's trace ids come from its RandomIdGenerator (16 random bytes). Turn it off only with an
   * IdGenerator whose right-most 7 bytes are not random.
   */
  randomTraceIds?: boolean;
}

/**
 * W3C `traceparent`/`tracestate` propagation that follows the spec where core's does not (see the
 * top of this file). Never throws: `extract` returns the context unchanged on invalid input, and
 * `inject` writes nothing for an invalid span context.
 *
 * The random-trace-id flag (https://www.w3.org/TR/trace-context-2/#random-trace-id-flag): the SDK
 * derives a span's trace flags from the sampling decision alone, so the bit is lost on every
 * span; no SpanProcessor or IdGenerator can put it back. `inject` is the one place that writes
 * the flags, so it decides there, from the context it is given:
 * - the trace id came from a caller (extract left a {@link RemoteTrace} for this very trace id in
 *   the context, and the server span's context descends from it): the caller's bit, unchanged;
 * - a remote span context we did not extract: its own bit;
 * - otherwise this process generated the trace id, randomly: the bit is set.
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  readonly #randomTraceIds: boolean;

  constructor(options: W3CTraceContextPropagatorOptions = {}) {
    this.#randomTraceIds = options.randomTraceIds ?? true;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const spanContext = trace.getSpanContext(context);
      if (!spanContext || isTracingSuppressed(context) || !isSpanContextValid(spanContext)) return;
      const traceId = spanContext.traceId.toLowerCase();
      const random = this.#isRandom(context, spanContext) ? RANDOM_TRACE_ID_FLAG : 0;
      const flags = (spanContext.traceFlags & TraceFlags.SAMPLED) | random;
      const traceparent = `00-${traceId}-${spanContext.spanId.toLowerCase()}-0${flags.toString(16)}`;
      setter.set(carrier, TRACE_PARENT_HEADER, traceparent);
      // "Vendors MUST accept empty tracestate headers but SHOULD avoid sending them."
      const tracestate = toW3CTraceState(spanContext.traceState)?.serialize();
      if (tracestate) setter.set(carrier, TRACE_STATE_HEADER, tracestate);
    } catch {
      // A broken carrier or setter must not fail the request that is being sent.
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const parent = parseTraceparent(getter.get(carrier, TRACE_PARENT_HEADER));
      // "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate."
      if (!parent) return context;
      const spanContext: SpanContext = {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.traceFlags,
        isRemote: true,
      };
      const traceState = parseTracestate(getter.get(carrier, TRACE_STATE_HEADER));
      if (traceState) spanContext.traceState = traceState;
      const random = (parent.traceFlags & RANDOM_TRACE_ID_FLAG) !== 0;
      return markRemoteTrace(trace.setSpanContext(context, spanContext), { traceId: parent.traceId, random });
    } catch {
      return context;
    }
  }

  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }

  #isRandom(context: Context, spanContext: SpanContext): boolean {
    const remote = getRemoteTrace(context);
    if (remote?.traceId === spanContext.traceId) return remote.random;
    if (spanContext.isRemote) return (spanContext.traceFlags & RANDOM_TRACE_ID_FLAG) !== 0;
    return this.#randomTraceIds;
  }
}

/** Any TraceState (a sampler's, core's) re-checked against the rules before it is sent. */
function toW3CTraceState(traceState: TraceState | undefined): W3CTraceState | undefined {
  if (traceState === undefined || traceState instanceof W3CTraceState) return traceState;
  return parseTracestate(traceState.serialize());
}

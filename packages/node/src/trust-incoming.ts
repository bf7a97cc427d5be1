import type { IncomingMessage } from 'node:http';
import {
  type Attributes,
  type Context,
  createContextKey,
  diag,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  type SpanKind,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/**
 * How much of an incoming `traceparent` a server believes.
 *
 * - `'always'`: continue the caller's trace and follow its sampled flag. For services whose callers
 *   are your own (internal services behind a gateway, your own browser app in development and
 *   tests). The default unless NODE_ENV is `production`.
 * - `'ids-only'`: continue the caller's trace (same trace id, the caller's span as parent, its
 *   tracestate and random flag kept) but ignore its sampled flag: our own root sampler decides, as
 *   if the trace started here. The click-to-backend trace stays connected, and no caller can force
 *   us to record (cost, a denial-of-service lever) or stop us from recording (hiding its
 *   requests). For public APIs, including one called by browsers. The default when NODE_ENV is
 *   `production`. It needs {@link trustAwareSampler} (or {@link createTrustAwareSampler}).
 * - `'restart'`: a new trace, with a span link to the caller's span; nothing of the caller's
 *   context (tracestate, baggage, flags) is kept. For a front gate into a network whose traces must
 *   not be joined or influenced from outside, as the spec describes
 *   (https://www.w3.org/TR/trace-context/#mutating-the-traceparent-field, "Restart trace": "This
 *   mutation is used in services that are defined as a front gate into secure networks and
 *   eliminates a potential denial-of-service attack surface.").
 * - a function of the request, for a server with both kinds of caller: e.g. `'always'` for requests
 *   from your network or carrying a service token, `'ids-only'` for the rest. If it throws or
 *   returns anything else, the request gets `'ids-only'` (and a warning, once).
 *
 * The spec's reasons, https://www.w3.org/TR/trace-context/#trace-flags: the flags "are
 * recommendations given by the caller rather than strict rules to follow for three reasons: 1.
 * Trust and abuse 2. Bug in the caller 3. Different load between caller service and callee
 * service might force callee to downsample."
 */
export type TrustMode = 'always' | 'ids-only' | 'restart';
export type TrustIncoming = TrustMode | ((request: IncomingMessage) => TrustMode);

const MODES: readonly TrustMode[] = ['always', 'ids-only', 'restart'];

function isTrustMode(value: unknown): value is TrustMode {
  return MODES.some((mode) => mode === value);
}

/**
 * `'ids-only'` when NODE_ENV is `production`, else `'always'` (development, test, or unset: most
 * local setups never set NODE_ENV, and there the browser app is your own). In production the trace
 * stays connected but callers no longer decide what we record.
 */
export function defaultTrustIncoming(nodeEnv: string | undefined = process.env.NODE_ENV): TrustMode {
  return nodeEnv?.trim() === 'production' ? 'ids-only' : 'always';
}

/** The `trustIncoming` option checked once, at start-up: a bad value warns and gives the default. */
export function resolveTrustIncoming(option: unknown): TrustIncoming {
  if (option === undefined) return defaultTrustIncoming();
  if (typeof option === 'function' || isTrustMode(option)) return option as TrustIncoming;
  const fallback = defaultTrustIncoming();
  diag.warn(
    `@clicktrace/node: trustIncoming=${JSON.stringify(option)} is not one of ${MODES.join(', ')}; using "${fallback}"`,
  );
  return fallback;
}

/** What to start the server span with. */
export interface ServerSpanParent {
  /** The parent context for the server span (and so for everything the handler does). */
  context: Context;
  /** Links for the server span: the caller's span context under `'restart'`. */
  links: Link[];
  /** The mode that applied to this request. */
  mode: TrustMode;
  /** The valid remote span context extracted from the request, whether continued or not. */
  caller: SpanContext | undefined;
}

/** Marks a remote parent whose sampled flag must not decide: holds that very SpanContext. */
const IDS_ONLY_PARENT = createContextKey('clicktrace ids-only remote parent');

let warnedAboutFunction = false;

/**
 * Applies `trust` to the context a propagator extracted from `request`. Pure but for the user's
 * function, which is called once per request. Never throws.
 */
export function applyTrustIncoming(
  extracted: Context,
  request: IncomingMessage,
  trust: TrustIncoming = defaultTrustIncoming(),
): ServerSpanParent {
  const mode = modeFor(trust, request);
  const remote = trace.getSpanContext(extracted);
  const caller = remote?.isRemote === true && isSpanContextValid(remote) ? remote : undefined;
  switch (mode) {
    case 'always':
      return { context: extracted, links: [], mode, caller };
    case 'ids-only': {
      if (caller === undefined) return { context: extracted, links: [], mode, caller };
      // The caller's decision is dropped from the flags too, so that even a sampler that is not
      // trust-aware (ParentBased reads remote flags) cannot be made to record by a caller.
      const parent: SpanContext = { ...caller, traceFlags: caller.traceFlags & ~TraceFlags.SAMPLED };
      const context = trace.setSpanContext(extracted, parent).setValue(IDS_ONLY_PARENT, parent);
      return { context, links: [], mode, caller };
    }
    case 'restart': {
      if (caller === undefined) return { context: ROOT_CONTEXT, links: [], mode, caller };
      // The link names the caller's span; its tracestate, caller-controlled text, is left out.
      const { traceId, spanId, traceFlags } = caller;
      return {
        context: ROOT_CONTEXT,
        links: [{ context: { traceId, spanId, traceFlags, isRemote: true } }],
        mode,
        caller,
      };
    }
  }
}

function modeFor(trust: TrustIncoming, request: IncomingMessage): TrustMode {
  if (typeof trust !== 'function') return isTrustMode(trust) ? trust : defaultTrustIncoming();
  try {
    const mode = trust(request);
    if (isTrustMode(mode)) return mode;
    warnOnce(`returned ${JSON.stringify(mode)}`);
  } catch (error) {
    warnOnce(`threw ${String(error)}`);
  }
  return 'ids-only';
}

function warnOnce(what: string): void {
  if (warnedAboutFunction) return;
  warnedAboutFunction = true;
  diag.warn(`@clicktrace/node: the trustIncoming function ${what}; using "ids-only" for such requests`);
}

/**
 * Wraps the tracer provider's sampler so that a server span whose parent was kept under
 * `'ids-only'` is sampled by `root`, as a new trace would be, instead of by the caller's flag.
 * Every other span goes to `sampler` unchanged (children of that server span follow it as local
 * children, the usual ParentBased way).
 */
export function trustAwareSampler(sampler: Sampler, root: Sampler): Sampler {
  return {
    shouldSample(
      context: Context,
      traceId: string,
      spanName: string,
      spanKind: SpanKind,
      attributes: Attributes,
      links: Link[],
    ): SamplingResult {
      const parent = trace.getSpanContext(context);
      if (parent !== undefined && context.getValue(IDS_ONLY_PARENT) === parent) {
        return root.shouldSample(trace.deleteSpan(context), traceId, spanName, spanKind, attributes, links);
      }
      return sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    },
    toString: () => `TrustAware{sampler=${sampler.toString()}, idsOnlyRoot=${root.toString()}}`,
  };
}

/**
 * The sampler OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG name (same values and defaults as the
 * stock SDK, https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
 * made trust-aware with its root sampler: `parentbased_traceidratio` + `0.1` samples a tenth of
 * `'ids-only'` requests whatever their flags say. Pass it as the provider's `sampler`.
 */
export function createTrustAwareSampler(): Sampler {
  const { sampler, root } = samplersFromEnv();
  return trustAwareSampler(sampler, root);
}

function samplersFromEnv(): { sampler: Sampler; root: Sampler } {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER')?.trim() ?? 'parentbased_always_on';
  const parentBased = (root: Sampler) => ({ sampler: new ParentBasedSampler({ root }), root });
  const alone = (root: Sampler) => ({ sampler: root, root });
  switch (name) {
    case 'always_on':
      return alone(new AlwaysOnSampler());
    case 'always_off':
      return alone(new AlwaysOffSampler());
    case 'traceidratio':
      return alone(new TraceIdRatioBasedSampler(ratioFromEnv()));
    case 'parentbased_always_on':
      return parentBased(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return parentBased(new TraceIdRatioBasedSampler(ratioFromEnv()));
    default:
      diag.warn(
        `@clicktrace/node: OTEL_TRACES_SAMPLER="${name}" is not supported, using "parentbased_always_on"`,
      );
      return parentBased(new AlwaysOnSampler());
  }
}

function ratioFromEnv(): number {
  const ratio = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
  if (ratio !== undefined && ratio >= 0 && ratio <= 1) return ratio;
  if (ratio !== undefined)
    diag.warn(`@clicktrace/node: OTEL_TRACES_SAMPLER_ARG=${ratio} is outside [0, 1], using 1`);
  return 1;
}

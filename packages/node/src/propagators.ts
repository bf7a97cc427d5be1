import {
  type Context,
  diag,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { CompositePropagator, getStringListFromEnv, W3CBaggagePropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import {
  getRemoteTrace,
  markRemoteTrace,
  W3CTraceContextPropagator,
} from './w3c-trace-context-propagator.js';

/**
 * The OTEL_PROPAGATORS values this package knows
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration).
 * `jaeger`, `xray` and `ottrace` are spec values too, but their propagators are not shipped here.
 */
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'none';

/** The specification's default for OTEL_PROPAGATORS. */
export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage'];

export interface PropagatorOptions {
  /**
   * Names whose headers are read but never written, for "accept B3 from an older caller while
   * emitting only W3C". They are extracted before the `names` ones, so when a request carries both
   * a valid `b3` and a valid `traceparent`, the `traceparent` wins. Code only: OTEL_PROPAGATORS has
   * no such notion (every propagator it names is used both ways).
   */
  extractOnly?: readonly string[];
}

/**
 * The propagator for `propagators` from code, else OTEL_PROPAGATORS, else `tracecontext,baggage`.
 *
 * As the specification composes them: extraction runs every propagator in order, each on the
 * context the previous one returned (so the last one that finds a valid header wins), and
 * injection runs every one. `['tracecontext', 'b3']` therefore accepts either header and sends
 * both; use {@link PropagatorOptions.extractOnly} to accept B3 without sending it.
 *
 * `none` anywhere means no propagation at all (and a warning if other names came with it). Unknown
 * names are skipped with a `diag` warning. Never throws.
 */
export function createPropagator(
  names: readonly string[] | undefined = undefined,
  options: PropagatorOptions = {},
): TextMapPropagator {
  const injected = resolveNames(names ?? propagatorNamesFromEnv() ?? DEFAULT_PROPAGATORS, 'propagators');
  const extractOnly = resolveNames(options.extractOnly ?? [], 'extractOnly').filter(
    (name) => !injected.includes(name),
  );
  if (injected === NONE) return new CompositePropagator({ propagators: [] });
  return new CompositePropagator({
    propagators: [
      ...extractOnly.map((name) => new ExtractOnlyPropagator(build(name))),
      ...injected.map(build),
    ],
  });
}

/** OTEL_PROPAGATORS as a list, or undefined when unset or blank. */
export function propagatorNamesFromEnv(): string[] | undefined {
  const names = getStringListFromEnv('OTEL_PROPAGATORS')?.filter((name) => name !== '');
  return names && names.length > 0 ? names : undefined;
}

type BuildableName = Exclude<PropagatorName, 'none'>;
const KNOWN: readonly BuildableName[] = ['tracecontext', 'baggage', 'b3', 'b3multi'];
const NONE: BuildableName[] = [];

function resolveNames(names: readonly string[], source: string): BuildableName[] {
  const list = Array.isArray(names) ? names : [];
  const trimmed = list.filter((name): name is string => typeof name === 'string').map((name) => name.trim());
  if (trimmed.includes('none')) {
    if (trimmed.some((name) => name !== 'none')) {
      diag.warn(`@clicktrace/node: ${source} lists "none" with other propagators; propagating nothing`);
    }
    return NONE;
  }
  const resolved: BuildableName[] = [];
  for (const name of trimmed) {
    const known = KNOWN.find((candidate) => candidate === name);
    if (!known) {
      diag.warn(`@clicktrace/node: unknown propagator "${name}" in ${source}, skipping it`);
    } else if (!resolved.includes(known)) {
      resolved.push(known);
    }
  }
  return resolved;
}

function build(name: BuildableName): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new MarkingRemoteTrace(new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }));
    case 'b3multi':
      return new MarkingRemoteTrace(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
  }
}

/**
 * Records that the trace id another propagator extracted came from a caller who made no claim
 * about its randomness (B3 has no random flag), so our W3C inject won't set the random-trace-id
 * flag on a trace that was not started here.
 */
class MarkingRemoteTrace implements TextMapPropagator {
  readonly #inner: TextMapPropagator;

  constructor(inner: TextMapPropagator) {
    this.#inner = inner;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const before = trace.getSpanContext(context);
    const extracted = this.#inner.extract(context, carrier, getter);
    const after = trace.getSpanContext(extracted);
    if (!after || after === before || getRemoteTrace(extracted)?.traceId === after.traceId) return extracted;
    return markRemoteTrace(extracted, { traceId: after.traceId, random: false });
  }

  fields(): string[] {
    return this.#inner.fields();
  }
}

/**
 * Reads what `inner` reads and writes nothing. `fields()` still names the headers it reads, so a
 * CORS layer that allows `fields()` lets a browser send them.
 */
class ExtractOnlyPropagator implements TextMapPropagator {
  readonly #inner: TextMapPropagator;

  constructor(inner: TextMapPropagator) {
    this.#inner = inner;
  }

  inject(): void {}

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.#inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.#inner.fields();
  }
}

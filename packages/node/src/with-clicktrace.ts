import { diag, type TextMapPropagator } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { CLICKTRACE_INSTRUMENTATION_NAME, ClicktraceInstrumentation } from './clicktrace-instrumentation.js';
import { httpServerConfig } from './incoming-request-options.js';
import { createLibraryInstrumentations, type LibrariesOption } from './library-instrumentations.js';
import {
  createHttpInstrumentation,
  createUndiciInstrumentation,
  HTTP_INSTRUMENTATION_NAME,
  removeFieldsAboutToBeInjected,
  UNDICI_INSTRUMENTATION_NAME,
  type UndiciRequestLike,
} from './outgoing-instrumentations.js';
import { createPropagator, type PropagatorName } from './propagators.js';
import { createTrustAwareSampler, type TrustIncoming, trustAwareSampler } from './trust-incoming.js';

/**
 * An OpenTelemetry instrumentation as NodeSDK takes it (OpenTelemetry JS 2 or 3), typed by the
 * parts `withClicktrace` uses, so this package needs no dependency on the user's SDK version.
 */
export interface InstrumentationLike {
  instrumentationName: string;
  getConfig(): object;
  setConfig(config: object): void;
  enable(): void;
  disable(): void;
}

/** A sampler of OpenTelemetry JS 2 or 3, typed by what `withClicktrace` needs of it. */
export interface SamplerLike {
  shouldSample(...args: never[]): unknown;
  toString(): string;
}

/** The parts of NodeSDK's configuration `withClicktrace` reads or fills in; the rest passes through. */
export interface NodeSdkConfigLike {
  serviceName?: string;
  instrumentations?: (InstrumentationLike | InstrumentationLike[])[];
  sampler?: SamplerLike;
  textMapPropagator?: TextMapPropagator | null;
}

/** clicktrace's own options, `withClicktrace`'s second argument. */
export interface ClicktraceSdkOptions {
  /** As in `startTracing`: how far a caller's `traceparent` is trusted. Default per NODE_ENV. */
  trustIncoming?: TrustIncoming;
  /** As in `startTracing`: the Server-Timing backlink on traced responses. Default `true`. */
  serverTiming?: boolean;
  /**
   * As in `startTracing`, for when the config has no `textMapPropagator`: the formats spoken
   * (env `OTEL_PROPAGATORS`, default `tracecontext,baggage`). A `textMapPropagator` of the
   * user's own is kept as it is.
   */
  propagators?: readonly PropagatorName[];
  /** As in `startTracing`: formats accepted on incoming requests but never sent. */
  extractOnlyPropagators?: readonly PropagatorName[];
  /**
   * As in `startTracing`: which database and queue clients clicktrace adds instrumentations for.
   * An instrumentation of the config's own for a library always wins; one a helper such as
   * `getNodeAutoInstrumentations` left out because you disabled it is not seen here, so turn it
   * off here too (or with `OTEL_NODE_DISABLED_INSTRUMENTATIONS`, which both read).
   */
  libraries?: LibrariesOption;
}

/**
 * Merges clicktrace into the configuration of a NodeSDK the app already starts, instead of running
 * a second SDK beside it (two SDKs would fight over the global tracer provider). The user's
 * exporter, span processors, resource, context manager and instrumentations stay; clicktrace adds:
 *
 * - its SERVER spans (one per request: the incoming half of the user's http instrumentation is
 *   turned off, and its server options, hooks, header capture and query redaction carried over,
 *   with the `http.server.request.duration` metric), continuing the browser's `traceparent` under
 *   the trust policy, named by route, with the Server-Timing backlink;
 * - the trust policy in the sampler (the user's `sampler`, else the OTEL_TRACES_SAMPLER one);
 * - its W3C propagator, unless the config has a `textMapPropagator` of its own;
 * - outgoing http and fetch instrumentations when the config has none, and one `traceparent` per
 *   fetch when it has the stock undici one;
 * - the stock instrumentations of the database and queue clients the app has (pg, mysql2,
 *   ioredis, redis, mongodb, amqplib) that the config does not list already.
 *
 * clicktrace's own options come second, apart from NodeSDK's, so that a misspelt one is a type
 * error rather than a silently ignored key.
 *
 * Never throws: on a problem it warns through `diag` and returns the configuration unchanged.
 *
 * @example
 * new NodeSDK(withClicktrace({ serviceName: 'shop-api', instrumentations: [getNodeAutoInstrumentations()] })).start();
 * new NodeSDK(withClicktrace(config, { trustIncoming: 'ids-only' })).start();
 */
export function withClicktrace<C extends NodeSdkConfigLike>(
  config: C,
  options: ClicktraceSdkOptions = {},
): C {
  const userConfig = config ?? ({} as C);
  const { trustIncoming, serverTiming, propagators, extractOnlyPropagators, libraries } = options ?? {};
  let merged: C;
  let http: InstrumentationLike | undefined;
  let undici: InstrumentationLike | undefined;
  try {
    // Everything is read and built first: nothing of the user's is changed until it all worked.
    const instrumentations = (userConfig.instrumentations ?? []).flat();
    if (instrumentations.some((it) => it?.instrumentationName === CLICKTRACE_INSTRUMENTATION_NAME)) {
      diag.warn('@clicktrace/node: withClicktrace() was given a configuration it already merged into');
      return userConfig;
    }
    http = instrumentations.find((it) => it?.instrumentationName === HTTP_INSTRUMENTATION_NAME);
    undici = instrumentations.find((it) => it?.instrumentationName === UNDICI_INSTRUMENTATION_NAME);
    if (userConfig.textMapPropagator !== undefined && propagators !== undefined) {
      diag.warn(
        '@clicktrace/node: the configuration has a textMapPropagator; the propagators option is ignored',
      );
    }
    const incoming = http === undefined ? undefined : httpServerConfig(http.getConfig());
    merged = {
      ...userConfig,
      instrumentations: [
        ...instrumentations,
        ...(http === undefined ? [createHttpInstrumentation()] : []),
        ...(undici === undefined ? [createUndiciInstrumentation()] : []),
        new ClicktraceInstrumentation({ trustIncoming, serverTiming, incoming }),
        // The database and queue clients the app has, unless the config already instruments them.
        ...createLibraryInstrumentations(
          new Set(instrumentations.map((it) => it?.instrumentationName)),
          libraries,
        ),
      ],
      // A sampler asked with the parent removed decides as for a new trace: the trust-aware
      // wrapper asks the user's own sampler that way for an 'ids-only' caller.
      sampler:
        userConfig.sampler === undefined
          ? createTrustAwareSampler()
          : trustAwareSampler(userConfig.sampler as Sampler, userConfig.sampler as Sampler),
      textMapPropagator:
        userConfig.textMapPropagator === undefined
          ? createPropagator(propagators, { extractOnly: extractOnlyPropagators })
          : userConfig.textMapPropagator,
    } as C;
  } catch (error) {
    diag.error('@clicktrace/node: withClicktrace() could not merge; the SDK runs as configured', error);
    return userConfig;
  }
  // Then the user's instrumentations are changed: without the take-over, the stock incoming spans
  // would come beside ours, so if it fails the configuration goes back as it was.
  if (http !== undefined && !takeOverIncomingRequests(http)) return userConfig;
  if (undici !== undefined) keepTraceHeadersSingle(undici);
  return merged;
}

/**
 * Turns off the incoming half of the user's http instrumentation, so each request gets one SERVER
 * span (ours). The instrumentation applies `disableIncomingRequestInstrumentation` when it patches
 * node:http, which may already have happened: disable() unpatches with the old config, enable()
 * patches again with the new one. On a failure it puts the old config back: false.
 */
function takeOverIncomingRequests(http: InstrumentationLike): boolean {
  const config = http.getConfig() as Record<string, unknown>;
  const wasEnabled = config.enabled !== false;
  try {
    http.disable();
    http.setConfig({ ...config, disableIncomingRequestInstrumentation: true });
    if (wasEnabled) http.enable();
    return true;
  } catch (error) {
    diag.error(
      "@clicktrace/node: withClicktrace() could not take over the http instrumentation's server spans; the SDK runs as configured",
      error,
    );
    try {
      http.setConfig(config);
      if (wasEnabled) http.enable();
    } catch {
      // Nothing more can be done with an instrumentation that throws from its own methods.
    }
    return false;
  }
}

/** Chains {@link removeFieldsAboutToBeInjected} before the user's own undici request hook. */
function keepTraceHeadersSingle(undici: InstrumentationLike): void {
  try {
    const config = undici.getConfig() as { requestHook?: (span: never, request: never) => void };
    const own = config.requestHook;
    undici.setConfig({
      ...config,
      requestHook(span: Parameters<typeof removeFieldsAboutToBeInjected>[0], request: UndiciRequestLike) {
        removeFieldsAboutToBeInjected(span, request);
        own?.(span as never, request as never);
      },
    });
  } catch (error) {
    // Only a fetch whose caller had set its own traceparent is affected: it may then send two.
    diag.warn('@clicktrace/node: withClicktrace() could not chain its undici request hook', error);
  }
}

import { diag, type TextMapPropagator } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { CLICKTRACE_INSTRUMENTATION_NAME, ClicktraceInstrumentation } from './clicktrace-instrumentation.js';
import { incomingRequestHooks } from './incoming-request-hooks.js';
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

/** The parts of NodeSDK's configuration `withClicktrace` reads or fills in; the rest passes through. */
export interface NodeSdkConfigLike {
  serviceName?: string;
  instrumentations?: (InstrumentationLike | InstrumentationLike[])[];
  sampler?: Sampler;
  textMapPropagator?: TextMapPropagator | null;
}

/** clicktrace's own options, beside NodeSDK's; `withClicktrace` takes them out of the result. */
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
}

/**
 * Merges clicktrace into the configuration of a NodeSDK the app already starts, instead of running
 * a second SDK beside it (two SDKs would fight over the global tracer provider). The user's
 * exporter, span processors, resource, context manager and instrumentations stay; clicktrace adds:
 *
 * - its SERVER spans (one per request: the incoming half of the user's http instrumentation is
 *   turned off, its incoming-request hooks carried over), continuing the browser's `traceparent`
 *   under the trust policy, named by route, with the Server-Timing backlink;
 * - the trust policy in the sampler (the user's `sampler`, else the OTEL_TRACES_SAMPLER one);
 * - its W3C propagator, unless the config has a `textMapPropagator` of its own;
 * - outgoing http and fetch instrumentations when the config has none, and one `traceparent` per
 *   fetch when it has the stock undici one.
 *
 * Never throws: on a problem it warns through `diag` and returns the configuration unchanged.
 *
 * @example
 * new NodeSDK(withClicktrace({ serviceName: 'shop-api', instrumentations: [getNodeAutoInstrumentations()] })).start();
 */
export function withClicktrace<C extends NodeSdkConfigLike>(config: C & ClicktraceSdkOptions): C {
  const { trustIncoming, serverTiming, propagators, extractOnlyPropagators, ...sdkConfig } = config ?? {};
  const userConfig = sdkConfig as unknown as C;
  try {
    const instrumentations = (userConfig.instrumentations ?? []).flat();
    if (instrumentations.some((it) => it?.instrumentationName === CLICKTRACE_INSTRUMENTATION_NAME)) {
      diag.warn('@clicktrace/node: withClicktrace() was given a configuration it already merged into');
      return userConfig;
    }
    const http = instrumentations.find((it) => it?.instrumentationName === HTTP_INSTRUMENTATION_NAME);
    const undici = instrumentations.find((it) => it?.instrumentationName === UNDICI_INSTRUMENTATION_NAME);
    const hooks = http === undefined ? undefined : takeOverIncomingRequests(http);
    if (undici !== undefined) keepTraceHeadersSingle(undici);
    if (userConfig.textMapPropagator !== undefined && propagators !== undefined) {
      diag.warn(
        '@clicktrace/node: the configuration has a textMapPropagator; the propagators option is ignored',
      );
    }
    return {
      ...userConfig,
      instrumentations: [
        ...instrumentations,
        ...(http === undefined ? [createHttpInstrumentation()] : []),
        ...(undici === undefined ? [createUndiciInstrumentation()] : []),
        new ClicktraceInstrumentation({ trustIncoming, serverTiming, hooks }),
      ],
      // A sampler asked with the parent removed decides as for a new trace: the trust-aware
      // wrapper asks the user's own sampler that way for an 'ids-only' caller.
      sampler:
        userConfig.sampler === undefined
          ? createTrustAwareSampler()
          : trustAwareSampler(userConfig.sampler, userConfig.sampler),
      textMapPropagator:
        userConfig.textMapPropagator === undefined
          ? createPropagator(propagators, { extractOnly: extractOnlyPropagators })
          : userConfig.textMapPropagator,
    };
  } catch (error) {
    diag.error('@clicktrace/node: withClicktrace() could not merge; the SDK runs as configured', error);
    return userConfig;
  }
}

/**
 * Turns off the incoming half of the user's http instrumentation, so each request gets one SERVER
 * span (ours), and returns the hooks of its config that shape that span. The instrumentation
 * applies `disableIncomingRequestInstrumentation` when it patches node:http, which may already have
 * happened: disable() unpatches with the old config, enable() patches again with the new one.
 */
function takeOverIncomingRequests(http: InstrumentationLike) {
  const config = http.getConfig() as Record<string, unknown>;
  const wasEnabled = config.enabled !== false;
  http.disable();
  http.setConfig({ ...config, disableIncomingRequestInstrumentation: true });
  if (wasEnabled) http.enable();
  return incomingRequestHooks(config);
}

/** Chains {@link removeFieldsAboutToBeInjected} before the user's own undici request hook. */
function keepTraceHeadersSingle(undici: InstrumentationLike): void {
  const config = undici.getConfig() as { requestHook?: (span: never, request: never) => void };
  const own = config.requestHook;
  undici.setConfig({
    ...config,
    requestHook(span: Parameters<typeof removeFieldsAboutToBeInjected>[0], request: UndiciRequestLike) {
      removeFieldsAboutToBeInjected(span, request);
      own?.(span as never, request as never);
    },
  });
}

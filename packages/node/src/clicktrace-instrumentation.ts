import {
  type Histogram,
  type MeterProvider,
  propagation,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { instrumentFrameworkRoutes } from './framework-routes.js';
import { type HttpServerConfig, ServerSpanCustomization } from './incoming-request-options.js';
import { isOwnTracerProvider } from './own-tracer-providers.js';
import { patchBuiltins } from './patch-builtins.js';
import { REQUEST_ROOT_CONTEXT } from './request-context.js';
import { serverRequestDuration } from './server-request-duration.js';
import { instrumentServers } from './server-spans.js';
import { TraceHeaderEvidence } from './trace-header-evidence.js';
import { applyTrustIncoming, resolveTrustIncoming, type TrustIncoming } from './trust-incoming.js';
import { VERSION } from './version.js';
import { instrumentWorkerThreads } from './worker-threads/instrument-worker-threads.js';

export const CLICKTRACE_INSTRUMENTATION_NAME = '@clicktrace/node';

/** Options of {@link ClicktraceInstrumentation}. */
export interface ClicktraceInstrumentationConfig {
  /**
   * Read-only: whether it is on. Unlike the stock instrumentations it does not turn itself on when
   * constructed: registerInstrumentations (NodeSDK.start()) enables every instrumentation whose
   * config says `enabled: false`, so its patches go in when the SDK starts.
   */
  enabled?: boolean;
  /** How far a caller's `traceparent` is trusted (see trust-incoming.ts). Default per NODE_ENV. */
  trustIncoming?: TrustIncoming;
  /** The Server-Timing backlink on traced responses. Default `true`. */
  serverTiming?: boolean;
  /** The server options of the user's http instrumentation, carried over by withClicktrace. */
  incoming?: HttpServerConfig;
}

/**
 * clicktrace's server side as an OpenTelemetry instrumentation, so it plugs into any SDK that
 * registers instrumentations (our `startTracing`, or a user's own NodeSDK through
 * `withClicktrace`) and gets that SDK's tracer provider:
 *
 * - SERVER spans for every node:http/https request, continuing the caller's trace under the trust
 *   policy, with the Server-Timing backlink (server-spans.ts);
 * - route names from Express and Fastify (framework-routes.ts), and from the stock Koa, Hapi,
 *   Restify and Connect instrumentations (through the RPC metadata they set);
 * - the `http.server.request.duration` metric, when the SDK has a metrics SDK registered;
 * - node:http's ESM named exports kept in step with the outgoing http instrumentation's patches
 *   (patch-builtins.ts);
 * - worker_threads: a Worker constructed during a request continues its trace
 *   (worker-threads/instrument-worker-threads.ts).
 *
 * `disable()` turns it off: the prototype patches stay in place and pass every request straight
 * through (as shimmer's wrappers do once unwrapped under another wrapper), so nothing another
 * library wrapped on top of ours is cut out from under it.
 */
export class ClicktraceInstrumentation {
  readonly instrumentationName = CLICKTRACE_INSTRUMENTATION_NAME;
  readonly instrumentationVersion = VERSION;
  #config: ClicktraceInstrumentationConfig;
  #tracerProvider: TracerProvider | undefined;
  #duration: Histogram | undefined;
  #stop: (() => void) | undefined;
  #threads: (() => void) | undefined;

  constructor(config: ClicktraceInstrumentationConfig = {}) {
    this.#config = config;
  }

  getConfig(): ClicktraceInstrumentationConfig {
    return { ...this.#config, enabled: this.#stop !== undefined };
  }

  /** Takes effect at the next `enable()`. */
  setConfig(config: ClicktraceInstrumentationConfig): void {
    this.#config = config;
  }

  setTracerProvider(tracerProvider: TracerProvider): void {
    this.#tracerProvider = tracerProvider;
    if (this.#stop !== undefined) this.#start(); // the running patches pick up the new tracer
  }

  setMeterProvider(meterProvider: MeterProvider): void {
    this.#duration = serverRequestDuration(meterProvider);
    if (this.#stop !== undefined) this.#start();
  }

  enable(): void {
    if (this.#stop !== undefined) return;
    this.#start();
    instrumentFrameworkRoutes();
    patchBuiltins();
    this.#threads = instrumentWorkerThreads(() => this.#tracerProvider ?? trace.getTracerProvider());
  }

  disable(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#threads?.();
    this.#threads = undefined;
  }

  #start(): void {
    const trust = resolveTrustIncoming(this.#config.trustIncoming);
    const tracerProvider = this.#tracerProvider ?? trace.getTracerProvider();
    const evidence = new TraceHeaderEvidence();
    this.#stop = instrumentServers({
      tracer: tracerProvider.getTracer(CLICKTRACE_INSTRUMENTATION_NAME, VERSION),
      // The global propagator: ours, or the one the user gave their SDK. The span records what
      // the request's trace headers were and what became of them (trace-header-evidence.ts).
      parentContext: (request, attributes) => {
        const headers = request.headers;
        const parent = applyTrustIncoming(propagation.extract(REQUEST_ROOT_CONTEXT, headers), request, trust);
        evidence.add(attributes, headers, parent);
        return parent;
      },
      backlink: this.#config.serverTiming !== false,
      customization: new ServerSpanCustomization(this.#config.incoming),
      duration: this.#duration,
      startAttributesVisible: !isOwnTracerProvider(tracerProvider),
    });
  }
}

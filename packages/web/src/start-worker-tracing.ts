import { context, diag, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_USER_AGENT_ORIGINAL } from '@opentelemetry/semantic-conventions';
import { BatchExportProcessor } from './batch-export-processor.js';
import { instrumentFetch } from './fetch-instrumentation.js';
import { GuardedSpanProcessor } from './guarded-span-processor.js';
import { InteractionLifetime } from './interaction-lifetime.js';
import { parentSourceOf } from './interaction-scope.js';
import { OpenRequestSpans } from './open-request-spans.js';
import { OtlpJsonExporter } from './otlp-json-exporter.js';
import { createOriginMatcher } from './propagation-allowlist.js';
import { resolveOptions } from './resolve-options.js';
import { VERSION } from './version.js';
import { receiveHandOffs } from './worker-message-context.js';
import { HELLO_KEY } from './worker-protocol.js';
import type { WorkerTracing, WorkerTracingOptions } from './worker-tracing.js';
import { instrumentXhr } from './xhr-instrumentation.js';
import { ZoneContextManager } from './zone-context-manager.js';

/** What a dedicated worker's global scope has that the DOM types lack. */
type DedicatedWorkerScope = EventTarget & {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => unknown) | null;
};

let running: WorkerTracing | undefined;

/**
 * Starts tracing a dedicated Web Worker: fetch/XHR spans with `traceparent` on requests to allowed
 * origins, spans posted over OTLP/HTTP, and the work the page hands over with `worker.postMessage`
 * (from a click, say) kept in the page's trace.
 *
 * Call it first in the worker's entry module, before any message handler is added. It tells the
 * page (one message that the page's `startTracing` takes before the app sees it) that this worker
 * runs clicktrace; from then on the page wraps its messages with their context, and this unwraps
 * them before the worker's handlers see them, running the handlers in that context.
 *
 * Spans are exported as soon as they end (a worker has no lifecycle events; it may be terminated
 * at any moment). Bad options throw a TypeError; a second call warns through `diag` and returns
 * the first instance.
 *
 * @example
 * // worker.ts
 * import { startWorkerTracing } from '@clicktrace/web/worker';
 * startWorkerTracing({ serviceName: 'shop-worker', propagateTo: ['https://api.example.com'] });
 * self.onmessage = async (event) => { await fetch('https://api.example.com/work', { method: 'POST', body: event.data }); };
 */
export function startWorkerTracing(options: WorkerTracingOptions): WorkerTracing {
  const resolved = resolveOptions(options, globalThis.location.href);
  if (running) {
    diag.warn(
      'clicktrace: startWorkerTracing was called again; returning the running instance, new options ignored',
    );
    return running;
  }
  const scope = globalThis as unknown as DedicatedWorkerScope;
  // As in startTracing: the worker's own fetch, as zone.js saved it, posts the exports.
  const workerFetch =
    ((globalThis as Record<string, unknown>)[Zone.__symbol__('fetch')] as typeof fetch | undefined) ??
    globalThis.fetch;
  const lifetime = new InteractionLifetime();
  const setTimer = (callback: () => void, ms: number) => lifetime.setTimer(callback, ms);
  const exporter = new OtlpJsonExporter({
    url: resolved.endpoint,
    fetch: workerFetch.bind(globalThis),
    headers: resolved.headers,
    setTimer,
  });
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        'service.instance.id': Math.random().toString(16).slice(2),
        [ATTR_USER_AGENT_ORIGINAL]: globalThis.navigator.userAgent,
        ...resolved.resourceAttributes,
        [ATTR_SERVICE_NAME]: resolved.serviceName,
      }),
    ),
    spanProcessors: [
      // "Hidden" always: a batch is exported as soon as the spans of one task have ended, since
      // nothing tells a worker it is about to be terminated.
      new BatchExportProcessor({ exporter, isHidden: () => true, setTimer }),
      ...resolved.spanProcessors.map((processor) => new GuardedSpanProcessor(processor, lifetime)),
    ],
  });
  if (!trace.setGlobalTracerProvider(provider)) {
    diag.warn(
      'clicktrace: another OpenTelemetry SDK is already registered in this worker, so clicktrace does not start',
    );
    void provider.shutdown();
    return { flush: async () => {}, shutdown: async () => {} };
  }
  const contextManager = new ZoneContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  const origin = globalThis.location.origin;
  const requests = {
    tracer: provider.getTracer('@clicktrace/web', VERSION),
    shouldPropagate: createOriginMatcher(resolved.propagateTo, origin),
    ignore: (url: string) => url === resolved.endpoint,
    // No interactions in a worker: the parent is what the context holds (a message's, say).
    parent: () => {
      const active = context.active();
      return { context: active, source: parentSourceOf(active) };
    },
    open: new OpenRequestSpans(),
    pageOrigin: origin,
  };
  const uninstrumentFetch = instrumentFetch(requests);
  const uninstrumentXhr = instrumentXhr(requests);
  // Only a dedicated worker has a page to talk to (a SharedWorker's messages come through ports).
  let stopReceiving = () => {};
  const Dedicated = (globalThis as { DedicatedWorkerGlobalScope?: new () => unknown })
    .DedicatedWorkerGlobalScope;
  if (Dedicated && globalThis instanceof Dedicated) {
    stopReceiving = receiveHandOffs(scope, contextManager);
    scope.postMessage({ [HELLO_KEY]: 1 });
  } else {
    diag.warn('clicktrace: startWorkerTracing runs in a dedicated worker; messages here are not traced');
  }

  let shutdownPromise: Promise<void> | undefined;
  const tracing: WorkerTracing = {
    async flush() {
      try {
        await provider.forceFlush();
      } catch (error) {
        diag.error('clicktrace: flush failed', error);
      }
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        if (running === tracing) running = undefined;
        stopReceiving();
        uninstrumentFetch();
        uninstrumentXhr();
        try {
          await provider.shutdown();
        } catch (error) {
          diag.error('clicktrace: shutdown failed to export the last spans', error);
        }
        trace.disable();
        context.disable();
        propagation.disable();
      })();
      return shutdownPromise;
    },
  };
  running = tracing;
  return tracing;
}

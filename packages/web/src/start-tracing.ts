import { context, diag, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_USER_AGENT_ORIGINAL } from '@opentelemetry/semantic-conventions';
import { BatchExportProcessor } from './batch-export-processor.js';
import { patchZoneScheduleTask } from './contextless-task-patch.js';
import { instrumentFetch } from './fetch-instrumentation.js';
import { GuardedSpanProcessor } from './guarded-span-processor.js';
import { InteractionContextManager } from './interaction-context-manager.js';
import { InteractionLifetime } from './interaction-lifetime.js';
import { listenForInteractions } from './interaction-listener.js';
import { InteractionRegistry } from './interaction-registry.js';
import { InteractionScope } from './interaction-scope.js';
import { InteractionSpanProcessor } from './interaction-span-processor.js';
import { OpenRequestSpans } from './open-request-spans.js';
import { OtlpJsonExporter } from './otlp-json-exporter.js';
import { watchPageLifecycle } from './page-lifecycle.js';
import { createOriginMatcher } from './propagation-allowlist.js';
import { registerInstrumentations } from './register-instrumentations.js';
import { resolveOptions } from './resolve-options.js';
import { VERSION } from './version.js';
import type { FlushOptions, WebTracing, WebTracingOptions } from './web-tracing.js';
import { traceWorkerHandOffs } from './worker-hand-off.js';
import { instrumentXhr } from './xhr-instrumentation.js';
import { ZoneContextManager } from './zone-context-manager.js';
import { patchZoneRunTask } from './zone-run-task-patch.js';

/** Where the running instance is published, so @clicktrace/playwright can flush without app changes. */
const GLOBAL_HOOK = Symbol.for('clicktrace.web');

/** How often `flush({ idle })` looks whether the open interactions have ended. */
const IDLE_CHECK_MS = 5;

let running: WebTracing | undefined;

/**
 * Starts tracing the page: a root span per click and submit that lasts until the work it started
 * is over (at most 10 s), fetch/XHR spans as its children,
 * `traceparent` on requests to allowed origins, spans posted over OTLP/HTTP.
 *
 * Call it once, as early as possible (import it first in the entry module). Bad options throw a
 * TypeError; a second call warns through `diag` and returns the first instance.
 *
 * @example
 * const tracing = startTracing({ serviceName: 'shop-web', propagateTo: ['https://api.example.com'] });
 */
export function startTracing(options: WebTracingOptions): WebTracing {
  const resolved = resolveOptions(options, globalThis.location.href);
  if (running) {
    diag.warn(
      'clicktrace: startTracing was called again; returning the running instance, new options ignored',
    );
    return running;
  }

  // The exporter posts with the browser's own fetch, as zone.js saved it before patching: never
  // through our instrumentation (exports make no spans) nor through a wrapper the app installed
  // (an auth wrapper would hand the collector the app's token). zone.js loaded after such a
  // wrapper saved the wrapper: then that is what there is.
  const browserFetch =
    ((globalThis as Record<string, unknown>)[Zone.__symbol__('fetch')] as typeof fetch | undefined) ??
    globalThis.fetch;
  if (!/\[native code\]/.test(Function.prototype.toString.call(browserFetch))) {
    diag.warn('clicktrace: fetch was wrapped before @clicktrace/web loaded');
  }
  const uninstrumentedFetch = browserFetch.bind(globalThis);
  const zoneContextManager = new ZoneContextManager();
  const lifetime = new InteractionLifetime();
  const registry = new InteractionRegistry({ lifetime, zoneContextManager });
  const openRequests = new OpenRequestSpans();
  const isHidden = () => globalThis.document?.visibilityState === 'hidden';
  // The SDK's timers (batching, retries) run outside zone.js: no interaction counts them.
  const setTimer = (callback: () => void, ms: number) => lifetime.setTimer(callback, ms);
  const exporter = new OtlpJsonExporter({
    url: resolved.endpoint,
    fetch: uninstrumentedFetch,
    headers: resolved.headers,
    setTimer,
  });
  const provider = new TracerProvider({
    // The user's attributes win over the defaults, except service.name (resolved without it).
    resource: defaultResource().merge(
      resourceFromAttributes({
        // One id per page load: the collector tells two tabs (or two tests' pages) apart by it.
        'service.instance.id': Math.random().toString(16).slice(2),
        [ATTR_USER_AGENT_ORIGINAL]: globalThis.navigator.userAgent,
        ...resolved.resourceAttributes,
        [ATTR_SERVICE_NAME]: resolved.serviceName,
      }),
    ),
    spanProcessors: [
      new InteractionSpanProcessor(new BatchExportProcessor({ exporter, isHidden, setTimer }), {
        interactions: registry,
        lifetime,
        keepEmptyInteractions: resolved.keepEmptyInteractions,
      }),
      // After ours: a span is counted by its interaction before any user code sees it,
      // and a user processor that throws cannot keep ours from exporting.
      ...resolved.spanProcessors.map((processor) => new GuardedSpanProcessor(processor, lifetime)),
    ],
  });
  // One SDK per page: when another one registered first, ours would patch the page while the
  // API handed out the other's tracers. Step aside, leaving the other SDK's globals alone.
  if (!trace.setGlobalTracerProvider(provider)) {
    diag.warn(
      'clicktrace: another OpenTelemetry SDK is already registered on this page, so clicktrace does not start',
    );
    void provider.shutdown();
    return { flush: async () => {}, shutdown: async () => {} };
  }
  const scope = new InteractionScope(registry);
  // Where zone.js holds no span, the interaction scope's choice (see interaction-scope.ts).
  context.setGlobalContextManager(
    new InteractionContextManager(zoneContextManager, (active) => scope.contextFor(active)).enable(),
  );
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  const tracer = provider.getTracer('@clicktrace/web', VERSION);
  const pageOrigin = globalThis.location.origin;
  const requests = {
    tracer,
    shouldPropagate: createOriginMatcher(resolved.propagateTo, pageOrigin),
    // A second copy of the SDK on the page would post to the endpoint through our fetch.
    ignore: (url: string) => url === resolved.endpoint,
    parent: () => scope.chooseParent(),
    open: openRequests,
    pageOrigin,
  };
  const uninstrumentFetch = instrumentFetch(requests);
  const uninstrumentXhr = instrumentXhr(requests);
  const untraceWorkers = traceWorkerHandOffs(requests);
  const unpatchSchedule = patchZoneScheduleTask((task) => registry.adoptContextless(task));
  const unpatchZone = patchZoneRunTask((event, taskZone) => registry.ofEvent(event)?.zoneFor(taskZone));
  const stopListening = listenForInteractions({
    target: window,
    tracer,
    interactions: registry,
    zoneContext: () => zoneContextManager.active(),
  });
  // Last: everything above is in place when the user's instrumentations start (some make spans at once).
  const disableInstrumentations = registerInstrumentations(resolved.instrumentations, provider);

  /** Resolves once no interaction is open, or after `maxMs`. Its timers are the SDK's: no click counts them. */
  function interactionsOver(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    return new Promise((resolve) => {
      const check = (): void => {
        if (registry.size === 0 || Date.now() >= deadline) resolve();
        else lifetime.setTimer(check, IDLE_CHECK_MS);
      };
      check();
    });
  }

  async function flush(options?: FlushOptions): Promise<void> {
    try {
      const idle = Number(options?.idle);
      if (idle > 0) await interactionsOver(idle);
      await provider.forceFlush();
    } catch (error) {
      diag.error('clicktrace: flush failed', error);
    }
  }
  /** Starts exporting every ended span now (the exporter's requests are keepalive: they outlive the page). */
  function exportNow(): void {
    lifetime.bookkeeping(() => void flush());
  }
  // A hidden tab may never run again, or come back. Its interactions end (their work, if it
  // goes on, still joins their traces), and what has ended is sent at once, as anything that ends
  // while it stays hidden will be (BatchExportProcessor); requests in flight stay open, so a tab
  // that comes back records their real outcome. Leaving (or freezing) ends everything open.
  const stopWatchingPageLifecycle = watchPageLifecycle(window, {
    hidden() {
      registry.endAll('hidden');
      exportNow();
      // All of it now, not one request after another: this may be the page's last task.
      exporter.sendNow();
    },
    exit(reason) {
      // Interactions first: with their requests still open they end for `reason`, not as idle.
      registry.endAll(reason);
      openRequests.cutOff(reason);
      exportNow();
      // Now, in this task: what waits for a retry or behind the first request goes too.
      exporter.sendNow();
    },
  });

  let shutdownPromise: Promise<void> | undefined;
  const tracing: WebTracing = {
    flush,
    shutdown() {
      shutdownPromise ??= (async () => {
        if (running === tracing) running = undefined;
        const hooks = globalThis as unknown as Record<symbol, unknown>;
        if (hooks[GLOBAL_HOOK] === tracing) delete hooks[GLOBAL_HOOK];
        disableInstrumentations();
        stopListening();
        stopWatchingPageLifecycle();
        unpatchZone();
        unpatchSchedule();
        uninstrumentFetch();
        uninstrumentXhr();
        untraceWorkers();
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
  (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_HOOK] = tracing;
  return tracing;
}

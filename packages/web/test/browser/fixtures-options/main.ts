// startTracing with the production options: headers, resourceAttributes, the user's own
// instrumentations (the stock document-load one among them) and span processors.
// Query parameters: endpoint (the collector), api (an API origin), headers (JSON), late (start after
// the load event, as a page that loads its tracing lazily), throwing (add an instrumentation and a
// span processor that throw).
// zone.js first, as importing @clicktrace/web first does for an app (the package imports it).
import 'zone.js';
import { type DiagLogger, DiagLogLevel, diag, trace } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { startTracing } from '../../../src/index.js';

const params = new URLSearchParams(location.search);
const API = params.get('api') ?? '';
const throwing = params.has('throwing');

const diagnostics: string[] = [];
const record = (message: string) => void diagnostics.push(message);
const logger: DiagLogger = { error: record, warn: record, info: record, debug() {}, verbose() {} };
diag.setLogger(logger, DiagLogLevel.INFO);

/** The app's own API, which the checkout instrumentation below traces. */
const shop = { checkout: (): string => 'checked out' };
const untracedCheckout = shop.checkout;

/** An instrumentation made the stock way (the SDK's base class): its span starts in the active context. */
class CheckoutInstrumentation extends InstrumentationBase {
  constructor() {
    // enabled: false, so only startTracing enables it.
    super('fixture-checkout', '1.0.0', { enabled: false });
  }
  protected override init(): void {}
  override enable(): void {
    const instrumentation = this;
    shop.checkout = function tracedCheckout() {
      const span = instrumentation.tracer.startSpan('checkout');
      try {
        return untracedCheckout();
      } finally {
        span.end();
      }
    };
  }
  override disable(): void {
    shop.checkout = untracedCheckout;
  }
}

/** An instrumentation that cannot be enabled. */
const throwingInstrumentation = {
  instrumentationName: 'fixture-throws',
  setTracerProvider() {},
  enable() {
    throw new Error('cannot enable');
  },
  disable() {},
};

/** A span processor whose every method fails: throwing, or rejecting. */
class FailingProcessor implements SpanProcessor {
  onStart(): void {
    throw new Error('onStart');
  }
  onEnd(): void {
    throw new Error('onEnd');
  }
  forceFlush(): Promise<void> {
    return Promise.reject(new Error('forceFlush'));
  }
  shutdown(): Promise<void> {
    return Promise.reject(new Error('shutdown'));
  }
}

/** Records every call it gets. */
const calls: string[] = [];
const recorder: SpanProcessor = {
  onStart: (span: Span) => void calls.push(`onStart ${span.name}`),
  onEnd: (span: ReadableSpan) => void calls.push(`onEnd ${span.name}`),
  forceFlush: async () => void calls.push('forceFlush'),
  shutdown: async () => void calls.push('shutdown'),
};

/** A batch processor of the user's own, e.g. to a second backend, that exports only when flushed. */
const secondBackend = new InMemorySpanExporter();
const batch = new BatchSpanProcessor({ exporter: secondBackend, scheduledDelayMillis: 60_000 });

function start(): void {
  startTracing({
    serviceName: 'options-web',
    endpoint: params.get('endpoint') ?? undefined,
    propagateTo: [API],
    headers: JSON.parse(params.get('headers') ?? '{}') as Record<string, string>,
    resourceAttributes: {
      'deployment.environment.name': 'test',
      'app.build': 7,
      'service.name': 'not this one',
    },
    // Made here: in `late` mode, after the load event, where the document-load instrumentation
    // collects at once (it enables itself when made).
    instrumentations: [
      ...(throwing ? [throwingInstrumentation] : []),
      [new DocumentLoadInstrumentation(), new CheckoutInstrumentation()],
    ],
    spanProcessors: [...(throwing ? [new FailingProcessor()] : []), recorder, batch],
  });
}

if (params.has('late')) addEventListener('load', start);
else start();

function on(id: string, listener: () => void): void {
  document.getElementById(id)?.addEventListener('click', listener);
}
const result = document.getElementById('result') as HTMLOutputElement;

on('checkout', () => {
  result.textContent = shop.checkout();
});
on('fetch', () => void fetch(`${API}/fetch`));
on('nothing', () => {});
on('app-span', () => {
  trace.getTracer('fixture-app').startSpan('app work').end();
  result.textContent = 'app work done';
});

Object.assign(window, {
  fixture: {
    startTracing,
    diagnostics,
    calls,
    secondBackend: () => secondBackend.getFinishedSpans().map((span) => span.name),
    checkoutIsTraced: () => shop.checkout !== untracedCheckout,
  },
});

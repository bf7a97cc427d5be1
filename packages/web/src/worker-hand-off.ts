import { diag, propagation, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { ATTR_TRACE_HEADERS_SENT } from './interaction-attributes.js';
import type { RequestParent } from './request-instrumentation.js';
import { ENVELOPE_KEY, isHello } from './worker-protocol.js';

/** Options of `traceWorkerHandOffs`. */
export interface WorkerHandOffOptions {
  tracer: Tracer;
  /** The parent of a hand-off's span, chosen as a request's (the interaction scope). */
  parent(): RequestParent;
}

/**
 * Traces work handed from the page to a dedicated Web Worker with `worker.postMessage`:
 *
 * - a `postMessage` made where a span is active (a click's listener, its timers and promises) gets
 *   a PRODUCER span, child of that span, ended as the call returns: the click counts it as work, so
 *   a click whose only work is the hand-off is not dropped as empty, and the trace shows where the
 *   work left the page;
 * - to a worker that announced it runs `startWorkerTracing` (see worker-protocol.ts) the message goes
 *   in an envelope that carries the context (the PRODUCER span's, or the active one), which the
 *   worker unwraps before its handlers see the message. Any other worker gets the app's message
 *   untouched, and the span says `clicktrace.trace_headers.sent: false`.
 *
 * It wraps the `Worker` constructor (a Proxy: `instanceof`, `name` and subclasses keep working)
 * only to add one listener of its own to each new worker, before the app can add any, which takes
 * the worker's hello and stops it there; and it patches `Worker.prototype.postMessage`. Returns
 * the function that undoes both.
 */
export function traceWorkerHandOffs({ tracer, parent }: WorkerHandOffOptions): () => void {
  const NativeWorker = globalThis.Worker;
  if (typeof NativeWorker !== 'function') return () => {};
  const prototype = NativeWorker.prototype;
  const post = prototype.postMessage;
  // As zone.js saved it: our listener is no zone task, and comes before every listener of the app.
  const add: EventTarget['addEventListener'] =
    (prototype as unknown as Record<string, typeof add>)[Zone.__symbol__('addEventListener')] ??
    prototype.addEventListener;
  // The workers that said hello, and the name each span gives to each worker.
  const traced = new WeakSet<object>();
  const names = new WeakMap<object, string>();
  let enabled = true;

  function onHello(this: Worker, event: MessageEvent): void {
    if (!isHello(event.data)) return;
    traced.add(this);
    event.stopImmediatePropagation();
  }

  const TracedWorker = new Proxy(NativeWorker, {
    construct(target, args: ConstructorParameters<typeof Worker>, newTarget) {
      const worker = Reflect.construct(target, args, newTarget) as Worker;
      if (enabled) {
        add.call(worker, 'message', onHello as EventListener);
        // The script's file name, or the worker's own name: `postMessage worker.js`.
        names.set(
          worker,
          args[1]?.name ||
            String(args[0])
              .replace(/[?#].*/, '')
              .replace(/.*\//, ''),
        );
      }
      return worker;
    },
  });

  const tracedPostMessage = function postMessage(this: Worker, ...args: unknown[]) {
    let span: Span | undefined;
    let wrap = false;
    try {
      if (enabled) {
        let { context } = parent();
        if (trace.getSpan(context)) {
          span = tracer.startSpan(
            `postMessage ${names.get(this) ?? 'worker'}`,
            { kind: SpanKind.PRODUCER },
            context,
          );
          context = trace.setSpan(context, span);
        }
        // No argument: the native call throws its own TypeError, as without us.
        wrap = traced.has(this) && args.length > 0;
        if (wrap) {
          const carrier: Record<string, string> = {};
          propagation.inject(context, carrier);
          // The transfer list (or options) goes on as it came: what it names is found in `data`.
          args[0] = { [ENVELOPE_KEY]: carrier, data: args[0] };
        }
      }
    } catch (error) {
      diag.error('clicktrace: could not trace a postMessage to a worker', error);
    }
    try {
      Reflect.apply(post, this, args);
      // Only once posted: a message that could not be cloned (DataCloneError) carried nothing.
      span?.setAttribute(ATTR_TRACE_HEADERS_SENT, wrap);
    } finally {
      span?.end();
    }
  };
  prototype.postMessage = tracedPostMessage as typeof post;
  globalThis.Worker = TracedWorker;

  return function untraceWorkerHandOffs() {
    enabled = false;
    // Workers made until now keep our listener: it only ever takes a hello.
    if (globalThis.Worker === TracedWorker) globalThis.Worker = NativeWorker;
    if (prototype.postMessage === tracedPostMessage) prototype.postMessage = post;
  };
}

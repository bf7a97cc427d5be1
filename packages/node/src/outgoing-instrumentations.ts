import { context, diag, propagation, type Span, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

export const HTTP_INSTRUMENTATION_NAME = '@opentelemetry/instrumentation-http';
export const UNDICI_INSTRUMENTATION_NAME = '@opentelemetry/instrumentation-undici';

/**
 * Outgoing calls: node:http/https `request`/`get` (the stock http instrumentation, with its
 * incoming half off: server-spans.ts traces incoming requests at a fraction of its cost) and
 * undici, which is what global `fetch` runs on. The 0.30x http instrumentation emits the stable
 * HTTP semantic conventions only, so no OTEL_SEMCONV_STABILITY_OPT_IN is needed.
 */
export function createHttpInstrumentation(): Instrumentation {
  return new HttpInstrumentation({ disableIncomingRequestInstrumentation: true });
}

/** See {@link removeFieldsAboutToBeInjected}. */
export function createUndiciInstrumentation(): Instrumentation {
  return new UndiciInstrumentation({ requestHook: removeFieldsAboutToBeInjected });
}

/** The part of undici's request object (v6+: flat [name, value, …]; v5: raw header lines) used here. */
export interface UndiciRequestLike {
  headers: string | (string | string[])[];
}

/**
 * The undici instrumentation's request hook that keeps a fetch's trace headers single: http.request's
 * headers are one field per name (the injected `traceparent` replaces the caller's), but undici's
 * instrumentation *appends* its fields, so a fetch whose caller had set `traceparent` would send
 * two. This removes the caller's copies of exactly the fields about to be injected.
 */
export function removeFieldsAboutToBeInjected(span: Span, request: UndiciRequestLike): void {
  try {
    const injected: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), injected);
    const names = new Set(Object.keys(injected).map((name) => name.toLowerCase()));
    if (names.size === 0) return;
    const { headers } = request;
    if (Array.isArray(headers)) {
      const kept: (string | string[])[] = [];
      for (let i = 0; i < headers.length; i += 2) {
        if (!names.has(String(headers[i]).toLowerCase()))
          kept.push(headers[i] as string, headers[i + 1] as string);
      }
      if (kept.length !== headers.length) request.headers = kept;
    } else if (typeof headers === 'string') {
      request.headers = headers
        .split('\r\n')
        .filter((line) => !names.has(line.slice(0, line.indexOf(':')).trim().toLowerCase()))
        .join('\r\n');
    }
  } catch (error) {
    diag.debug('@clicktrace/node: could not check the fetch headers for an existing traceparent', error);
  }
}

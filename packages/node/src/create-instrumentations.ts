import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/**
 * node:http/https (incoming and outgoing) and undici, which is what global `fetch` runs on.
 * The 0.223 http instrumentation emits the stable HTTP semantic conventions only
 * (`http.request.method`, `url.path`, `http.response.status_code`, …), so no
 * OTEL_SEMCONV_STABILITY_OPT_IN is needed.
 */
export function createInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isCorsPreflight }),
    new UndiciInstrumentation(),
  ];
}

/**
 * A CORS preflight is the browser asking permission, not the user's action: tracing it would add
 * a second, parentless trace beside every cross-origin click. The Fetch standard defines it as an
 * OPTIONS request carrying Access-Control-Request-Method
 * (https://fetch.spec.whatwg.org/#cors-preflight-fetch); other OPTIONS requests are still traced.
 */
export function isCorsPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

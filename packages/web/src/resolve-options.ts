import { type Attributes, diag } from '@opentelemetry/api';
import { isSimpleAttributeValue } from '@opentelemetry/core';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { resolveHeaders } from './export-headers.js';
import { normalizePropagateTo } from './propagation-allowlist.js';
import type { Instrumentation } from './register-instrumentations.js';
import type { SpanProcessor } from './span-processor.js';

export interface ResolvedOptions {
  serviceName: string;
  /** Absolute http(s) URL. */
  endpoint: string;
  /** Normalised: origins and flag-free RegExps. */
  propagateTo: Array<string | RegExp>;
  keepEmptyInteractions: boolean;
  /** Lower-case names, no `content-type`. */
  headers: Record<string, string>;
  /** Valid attribute values only, never `service.name`. */
  resourceAttributes: Attributes;
  /** Flattened. */
  instrumentations: Instrumentation[];
  spanProcessors: SpanProcessor[];
}

const DEFAULT_ENDPOINT = '/v1/traces';

/**
 * Where @clicktrace/playwright puts the URL of a test's collector (from an init script), so a
 * page under test exports straight there whatever `endpoint` the app gives: no route needed,
 * and the page's own requests meet the servers' real CORS policies.
 */
const TEST_ENDPOINT = Symbol.for('clicktrace.web.endpoint');

/**
 * Checks `startTracing`'s options and fills in defaults. Bad options are a programming error
 * the developer should see at once, so this is the one place that throws (TypeError).
 */
export function resolveOptions(options: unknown, pageHref: string): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError("clicktrace: startTracing needs an options object, e.g. { serviceName: 'shop-web' }");
  }
  const {
    serviceName,
    endpoint,
    propagateTo,
    keepEmptyInteractions,
    headers,
    resourceAttributes,
    instrumentations,
    spanProcessors,
  } = options as Record<string, unknown>;
  if (typeof serviceName !== 'string' || serviceName.trim() === '') {
    throw new TypeError('clicktrace: serviceName must be a non-empty string');
  }
  return {
    serviceName,
    endpoint: resolveEndpoint(testEndpoint() ?? endpoint, pageHref),
    propagateTo: normalizePropagateTo(propagateTo),
    keepEmptyInteractions: resolveKeepEmptyInteractions(keepEmptyInteractions),
    headers: resolveHeaders(plainObject('headers', headers, "{ 'x-ingest-key': '…' }")),
    resourceAttributes: resolveResourceAttributes(
      plainObject(
        'resourceAttributes',
        resourceAttributes,
        "{ 'deployment.environment.name': 'production' }",
      ),
      serviceName,
    ),
    instrumentations: resolveInstrumentations(instrumentations),
    spanProcessors: resolveSpanProcessors(spanProcessors),
  };
}

/** The option as an object literal ({} when undefined); a Map, an array or a class instance is a TypeError. */
function plainObject(name: string, value: unknown, example: string): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  const prototype: unknown = typeof value === 'object' && value !== null && Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(`clicktrace: ${name} must be a plain object, e.g. ${example}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Keeps the values an OpenTelemetry resource keeps (@opentelemetry/resources drops the rest with a
 * warning): strings, numbers, booleans and arrays of one of them. Checked here rather than by the
 * resource so that the warning comes at start, once, and a promise is not taken for an attribute
 * still being detected. `undefined` means "not set" (`import.meta.env.VITE_VERSION` in a build
 * without it) and is left out silently. `service.name` is `serviceName`'s.
 */
function resolveResourceAttributes(
  attributes: Readonly<Record<string, unknown>>,
  serviceName: string,
): Attributes {
  const resolved: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (key === ATTR_SERVICE_NAME) {
      if (value !== serviceName)
        diag.warn(`clicktrace: resourceAttributes['${key}'] is ignored: serviceName sets it`);
    } else if (key === '' || !isSimpleAttributeValue(value)) {
      diag.warn(`clicktrace: resourceAttributes['${key}'] is dropped: not a valid attribute value`);
    } else {
      // A copy: the resource must not change if the app later changes its array.
      resolved[key] = Array.isArray(value) ? [...value] : value;
    }
  }
  return resolved;
}

/** The instrumentations, one level of arrays flattened (`[getWebAutoInstrumentations()]`). */
function resolveInstrumentations(instrumentations: unknown): Instrumentation[] {
  const list = arrayOption('instrumentations', instrumentations).flat();
  list.forEach((instrumentation, index) => {
    if (!hasMethods(instrumentation, ['setTracerProvider', 'enable', 'disable'])) {
      throw new TypeError(
        `clicktrace: instrumentations[${index}] is not an OpenTelemetry instrumentation (setTracerProvider, enable, disable)`,
      );
    }
  });
  return list as Instrumentation[];
}

function resolveSpanProcessors(spanProcessors: unknown): SpanProcessor[] {
  const list = arrayOption('spanProcessors', spanProcessors);
  list.forEach((processor, index) => {
    if (!hasMethods(processor, ['onStart', 'onEnd', 'forceFlush', 'shutdown'])) {
      throw new TypeError(
        `clicktrace: spanProcessors[${index}] is not a span processor (onStart, onEnd, forceFlush, shutdown)`,
      );
    }
  });
  return list as SpanProcessor[];
}

/** A copy of an array option ([] when undefined), so that later changes to the app's array do nothing. */
function arrayOption(name: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`clicktrace: ${name} must be an array`);
  return [...value];
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
  );
}

function resolveKeepEmptyInteractions(keepEmptyInteractions: unknown): boolean {
  if (keepEmptyInteractions === undefined) return false;
  if (typeof keepEmptyInteractions !== 'boolean') {
    throw new TypeError('clicktrace: keepEmptyInteractions must be a boolean (true or false)');
  }
  return keepEmptyInteractions;
}

/**
 * The test collector's URL, when a test set one; anything else there is ignored. Only in a browser
 * driven by automation (`navigator.webdriver`, true under Playwright): in a user's browser no
 * script can redirect the spans this way.
 */
function testEndpoint(): string | undefined {
  if (globalThis.navigator?.webdriver !== true) return undefined;
  const url = (globalThis as Record<symbol, unknown>)[TEST_ENDPOINT];
  return typeof url === 'string' && /^https?:\/\/\S+$/.test(url) ? url : undefined;
}

function resolveEndpoint(endpoint: unknown, pageHref: string): string {
  if (endpoint === undefined) return new URL(DEFAULT_ENDPOINT, pageHref).href;
  // Any string resolves as a relative URL, so whitespace is the sign of something that was never
  // meant as one ('undefined', a sentence, an env var that was not substituted).
  if (typeof endpoint !== 'string' || endpoint.trim() === '' || /\s/.test(endpoint)) {
    throw new TypeError('clicktrace: endpoint must be a URL string, e.g. http://127.0.0.1:4318/v1/traces');
  }
  let url: URL;
  try {
    url = new URL(endpoint, pageHref);
  } catch {
    throw new TypeError(`clicktrace: endpoint '${endpoint}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`clicktrace: endpoint '${endpoint}' must be an http(s) URL`);
  }
  return url.href;
}

import { type DiagLogger, diag } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from '../src/resolve-options.js';

const PAGE = 'http://127.0.0.1:5173/shop/cart?x=1';

const warnings: string[] = [];
beforeAll(() => {
  const record = (message: string) => void warnings.push(message);
  const ignore = () => {};
  const logger: DiagLogger = { warn: record, error: record, info: ignore, debug: ignore, verbose: ignore };
  diag.setLogger(logger, { suppressOverrideMessage: true });
});
afterEach(() => {
  warnings.length = 0;
});
afterAll(() => {
  diag.disable();
});

/** A stand-in with the methods of OpenTelemetry's Instrumentation interface that startTracing calls. */
function instrumentation(name: string) {
  return { instrumentationName: name, setTracerProvider() {}, enable() {}, disable() {} };
}

describe('resolveOptions', () => {
  it('defaults the endpoint to /v1/traces on the page origin', () => {
    expect(resolveOptions({ serviceName: 'shop-web' }, PAGE)).toEqual({
      serviceName: 'shop-web',
      endpoint: 'http://127.0.0.1:5173/v1/traces',
      propagateTo: [],
      keepEmptyInteractions: false,
      headers: {},
      resourceAttributes: {},
      instrumentations: [],
      spanProcessors: [],
    });
    expect(warnings).toEqual([]);
  });

  describe('headers', () => {
    it('keeps valid headers, with lower-case names', () => {
      const { headers } = resolveOptions(
        { serviceName: 's', headers: { 'X-Ingest-Key': 'k3y', authorization: 'Bearer a.b', 'x-empty': '' } },
        PAGE,
      );
      expect(headers).toEqual({ 'x-ingest-key': 'k3y', authorization: 'Bearer a.b', 'x-empty': '' });
    });

    it("ignores content-type, which stays the exporter's, with a warning", () => {
      const { headers } = resolveOptions(
        { serviceName: 's', headers: { 'Content-Type': 'text/plain', 'x-key': 'k' } },
        PAGE,
      );
      expect(headers).toEqual({ 'x-key': 'k' });
      expect(warnings).toEqual([
        "clicktrace: headers['Content-Type'] is ignored: exports are sent as application/json",
      ]);
    });

    it.each([
      ['an array', ['x-key', 'k']],
      ['a Headers object', new Headers({ 'x-key': 'k' })],
      ['a Map', new Map([['x-key', 'k']])],
      ['null', null],
      ['a string', 'x-key: k'],
      ['a name with a space', { 'x key': 'k' }],
      ['a name with a colon', { 'x-key:': 'k' }],
      ['an empty name', { '': 'k' }],
      ['a value that is not a string', { 'x-key': 42 }],
      ['a value with a line break', { 'x-key': 'k\r\nx-other: injected' }],
      ['a value with a NUL', { 'x-key': 'k\0' }],
      ['a value with a character above U+00FF', { 'x-key': 'k€y' }],
      ['a forbidden header (cookie)', { Cookie: 'a=b' }],
      ['a forbidden header (origin)', { origin: 'https://example.com' }],
      ['a forbidden header (sec-*)', { 'Sec-Fetch-Mode': 'cors' }],
      ['a forbidden header (proxy-*)', { 'proxy-authorization': 'x' }],
      ['a name given twice in another case', { 'x-key': 'a', 'X-Key': 'b' }],
    ])('throws a TypeError for %s', (_, headers) => {
      expect(() => resolveOptions({ serviceName: 's', headers }, PAGE)).toThrow(TypeError);
    });
  });

  describe('resourceAttributes', () => {
    it('keeps strings, numbers, booleans and homogeneous arrays, copied', () => {
      const versions = ['1', '2'];
      const { resourceAttributes } = resolveOptions(
        {
          serviceName: 's',
          resourceAttributes: {
            'deployment.environment.name': 'production',
            'app.build': 42,
            'app.beta': false,
            'app.versions': versions,
            'app.mixed-holes': [1, null, 3],
          },
        },
        PAGE,
      );
      versions.push('3');
      expect(resourceAttributes).toEqual({
        'deployment.environment.name': 'production',
        'app.build': 42,
        'app.beta': false,
        'app.versions': ['1', '2'],
        'app.mixed-holes': [1, null, 3],
      });
      expect(warnings).toEqual([]);
    });

    it('drops what a resource cannot hold, with a warning each; undefined silently', () => {
      const { resourceAttributes } = resolveOptions(
        {
          serviceName: 's',
          resourceAttributes: {
            'app.object': { nested: true },
            'app.null': null,
            'app.date': new Date(0),
            'app.mixed': [1, 'two'],
            'app.promise': Promise.resolve('later'),
            '': 'no key',
            'app.unset': undefined,
            'app.kept': 'yes',
          },
        },
        PAGE,
      );
      expect(resourceAttributes).toEqual({ 'app.kept': 'yes' });
      expect(warnings).toEqual(
        ['app.object', 'app.null', 'app.date', 'app.mixed', 'app.promise', ''].map(
          (key) => `clicktrace: resourceAttributes['${key}'] is dropped: not a valid attribute value`,
        ),
      );
    });

    it('leaves service.name to serviceName, warning when they differ', () => {
      const resolved = resolveOptions(
        { serviceName: 'shop-web', resourceAttributes: { 'service.name': 'other', 'app.kept': 1 } },
        PAGE,
      );
      expect(resolved.resourceAttributes).toEqual({ 'app.kept': 1 });
      expect(warnings).toEqual([
        "clicktrace: resourceAttributes['service.name'] is ignored: serviceName sets it",
      ]);
      warnings.length = 0;
      resolveOptions({ serviceName: 'shop-web', resourceAttributes: { 'service.name': 'shop-web' } }, PAGE);
      expect(warnings).toEqual([]);
    });

    it.each([
      ['an array', [['k', 'v']]],
      ['a Map', new Map([['k', 'v']])],
      ['null', null],
      ['a string', 'k=v'],
    ])('throws a TypeError for %s', (_, resourceAttributes) => {
      expect(() => resolveOptions({ serviceName: 's', resourceAttributes }, PAGE)).toThrow(TypeError);
    });
  });

  describe('instrumentations', () => {
    it('flattens one level of arrays, as registerInstrumentations does, into a copy', () => {
      const [a, b, c] = [instrumentation('a'), instrumentation('b'), instrumentation('c')];
      const list: unknown[] = [a, [b, c]];
      const { instrumentations } = resolveOptions({ serviceName: 's', instrumentations: list }, PAGE);
      list.push(instrumentation('late'));
      expect(instrumentations).toEqual([a, b, c]);
    });

    it.each([
      ['an instrumentation that is not in an array', instrumentation('a')],
      ['an entry that is not an object', ['document-load']],
      ['an entry without disable', [{ setTracerProvider() {}, enable() {} }]],
      ['an entry without setTracerProvider', [{ enable() {}, disable() {} }]],
      ['arrays nested twice', [[[instrumentation('a')]]]],
      ['a null entry', [null]],
    ])('throws a TypeError for %s', (_, instrumentations) => {
      expect(() => resolveOptions({ serviceName: 's', instrumentations }, PAGE)).toThrow(TypeError);
    });
  });

  describe('spanProcessors', () => {
    it('keeps span processors, in a copy of the array', () => {
      const processor = new BatchSpanProcessor({ exporter: new InMemorySpanExporter() });
      const list = [processor];
      const { spanProcessors } = resolveOptions({ serviceName: 's', spanProcessors: list }, PAGE);
      list.length = 0;
      expect(spanProcessors).toEqual([processor]);
    });

    it.each([
      [
        'a processor that is not in an array',
        new BatchSpanProcessor({ exporter: new InMemorySpanExporter() }),
      ],
      ['an exporter instead of a processor', [new InMemorySpanExporter()]],
      ['an entry without onEnd', [{ onStart() {}, forceFlush: async () => {}, shutdown: async () => {} }]],
      ['a null entry', [null]],
    ])('throws a TypeError for %s', (_, spanProcessors) => {
      expect(() => resolveOptions({ serviceName: 's', spanProcessors }, PAGE)).toThrow(TypeError);
    });
  });

  it('keeps keepEmptyInteractions when it is a boolean', () => {
    expect(
      resolveOptions({ serviceName: 's', keepEmptyInteractions: true }, PAGE).keepEmptyInteractions,
    ).toBe(true);
  });

  it('resolves a relative endpoint against the page and keeps an absolute one', () => {
    expect(resolveOptions({ serviceName: 's', endpoint: '/otlp/v1/traces' }, PAGE).endpoint).toBe(
      'http://127.0.0.1:5173/otlp/v1/traces',
    );
    expect(
      resolveOptions({ serviceName: 's', endpoint: 'http://127.0.0.1:4318/v1/traces' }, PAGE).endpoint,
    ).toBe('http://127.0.0.1:4318/v1/traces');
  });

  it("exports to a test's collector when @clicktrace/playwright set its URL, and ignores anything else there", () => {
    const key = Symbol.for('clicktrace.web.endpoint');
    const slot = globalThis as Record<symbol, unknown>;
    const app = { serviceName: 's', endpoint: '/otlp/v1/traces' };
    try {
      slot[key] = 'http://127.0.0.1:39999/v1/traces';
      // A user's browser: nobody may redirect the spans.
      vi.stubGlobal('navigator', { webdriver: false });
      expect(resolveOptions(app, PAGE).endpoint).toBe('http://127.0.0.1:5173/otlp/v1/traces');
      // A browser under automation, as Playwright drives it.
      vi.stubGlobal('navigator', { webdriver: true });
      expect(resolveOptions(app, PAGE).endpoint).toBe('http://127.0.0.1:39999/v1/traces');
      // Not an http(s) URL: the app's own endpoint, and no throw into the app.
      for (const junk of ['javascript:alert(1)', 'not a url', 42, {}]) {
        slot[key] = junk;
        expect(resolveOptions(app, PAGE).endpoint).toBe('http://127.0.0.1:5173/otlp/v1/traces');
      }
    } finally {
      delete slot[key];
      vi.unstubAllGlobals();
    }
  });

  it.each([
    ['no options', undefined],
    ['a missing serviceName', {}],
    ['an empty serviceName', { serviceName: '  ' }],
    ['a numeric serviceName', { serviceName: 1 }],
    ['an endpoint that is not a string', { serviceName: 's', endpoint: 4318 }],
    ['an endpoint with spaces', { serviceName: 's', endpoint: 'not a url' }],
    ['an unparsable endpoint', { serviceName: 's', endpoint: 'http://[::1' }],
    ['a non-http endpoint', { serviceName: 's', endpoint: 'ftp://127.0.0.1/v1/traces' }],
    ['a keepEmptyInteractions that is not a boolean', { serviceName: 's', keepEmptyInteractions: 'yes' }],
    ['a propagateTo with a path', { serviceName: 's', propagateTo: ['http://127.0.0.1:3001/api'] }],
  ])('throws a TypeError for %s', (_, options) => {
    expect(() => resolveOptions(options, PAGE)).toThrow(TypeError);
  });
});

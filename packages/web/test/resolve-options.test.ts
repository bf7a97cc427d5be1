import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/resolve-options.js';

const PAGE = 'http://127.0.0.1:5173/shop/cart?x=1';

describe('resolveOptions', () => {
  it('defaults the endpoint to /v1/traces on the page origin', () => {
    expect(resolveOptions({ serviceName: 'shop-web' }, PAGE)).toEqual({
      serviceName: 'shop-web',
      endpoint: 'http://127.0.0.1:5173/v1/traces',
      propagateTo: [],
      keepEmptyInteractions: false,
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

import { describe, expect, it } from 'vitest';
import { createOriginMatcher, normalizePropagateTo } from '../src/propagation-allowlist.js';

const PAGE = 'http://127.0.0.1:5173';
const API = 'http://127.0.0.1:3001';

function matcher(propagateTo: unknown[] = [API, /\.example\.com$/]) {
  return createOriginMatcher(normalizePropagateTo(propagateTo), PAGE);
}

describe('createOriginMatcher', () => {
  it('always allows the page origin', () => {
    const matches = createOriginMatcher([], PAGE);
    expect(matches(`${PAGE}/api/cart`)).toBe(true);
    expect(matches(`${PAGE}`)).toBe(true);
  });

  it('allows a listed origin, with or without a path', () => {
    expect(matcher()(`${API}/api/checkout?x=1`)).toBe(true);
    expect(matcher()(API)).toBe(true);
  });

  it('rejects an origin that is not listed', () => {
    expect(matcher()('http://127.0.0.1:4000/api')).toBe(false);
  });

  it('rejects the listed host on another port, scheme or host', () => {
    const matches = matcher();
    expect(matches('http://127.0.0.1:3002/api')).toBe(false);
    expect(matches('https://127.0.0.1:3001/api')).toBe(false);
    expect(matches('http://localhost:3001/api')).toBe(false);
    expect(createOriginMatcher([], PAGE)('http://127.0.0.1:5174/')).toBe(false);
  });

  it('is not fooled by prefixes, suffixes or userinfo', () => {
    const matches = matcher();
    expect(matches('http://127.0.0.1:30010/api')).toBe(false);
    expect(matches('http://127.0.0.1:3001.evil.com/api')).toBe(false);
    expect(matches('http://127.0.0.1:3001@evil.com/api')).toBe(false);
    expect(matches(`http://evil.com/${API}`)).toBe(false);
    expect(matches(`http://evil.com/?next=${API}`)).toBe(false);
  });

  it('tests RegExps against the origin only', () => {
    const matches = matcher();
    expect(matches('https://api.example.com/v1')).toBe(true);
    expect(matches('https://evil.com/?h=api.example.com')).toBe(false);
    expect(matches('https://evil.com/x.example.com')).toBe(false);
    expect(matches('https://api.example.com.evil.com/')).toBe(false);
  });

  it('gives the same answer every time for a global RegExp', () => {
    const matches = matcher([/\.example\.com$/g]);
    expect([1, 2, 3].map(() => matches('https://a.example.com/'))).toEqual([true, true, true]);
  });

  it('resolves relative URLs against the page origin', () => {
    const matches = createOriginMatcher([], PAGE);
    expect(matches('/api/cart')).toBe(true);
    expect(matches('api/cart')).toBe(true);
    expect(matches('//evil.com/api')).toBe(false);
    expect(matcher()('//127.0.0.1:3001/api')).toBe(true);
  });

  it('rejects garbage and non-http URLs', () => {
    const matches = matcher();
    expect(matches('http://')).toBe(false);
    expect(matches('http://[::1')).toBe(false);
    expect(matches('data:text/plain,hi')).toBe(false);
    expect(matches('javascript:alert(1)')).toBe(false);
  });

  it('never treats an opaque page origin as a match', () => {
    expect(createOriginMatcher([], 'null')('data:text/plain,hi')).toBe(false);
  });
});

describe('normalizePropagateTo', () => {
  it('reduces origins to scheme://host:port and tolerates a trailing slash', () => {
    expect(normalizePropagateTo(['http://127.0.0.1:3001/', 'https://API.example.com:443'])).toEqual([
      'http://127.0.0.1:3001',
      'https://api.example.com',
    ]);
  });

  it('treats undefined as an empty list', () => {
    expect(normalizePropagateTo(undefined)).toEqual([]);
  });

  it.each([
    ['a path', 'http://127.0.0.1:3001/api', /origin only/],
    ['a query', 'http://127.0.0.1:3001?x', /origin only/],
    ['credentials', 'http://user@127.0.0.1:3001', /origin only/],
    ['a relative URL', '/api', /not an absolute http\(s\) origin/],
    ['a bare host', '127.0.0.1:3001', /must use http: or https:|not an absolute/],
    ['another scheme', 'ws://127.0.0.1:3001', /must use http: or https:/],
  ])('rejects %s with a TypeError', (_, entry, message) => {
    expect(() => normalizePropagateTo([entry])).toThrow(TypeError);
    expect(() => normalizePropagateTo([entry])).toThrow(message);
  });

  it.each([[42], [null], [{ origin: API }]])('rejects the entry %j with a TypeError', (entry) => {
    expect(() => normalizePropagateTo([entry])).toThrow(TypeError);
  });

  it('rejects a non-array', () => {
    expect(() => normalizePropagateTo(API)).toThrow(TypeError);
  });
});

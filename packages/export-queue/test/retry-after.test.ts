import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/index.js';

const NOW = Date.parse('2026-12-03T10:00:00Z');

describe('parseRetryAfter()', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP-date as the time left until it, and a past one as 0', () => {
    expect(parseRetryAfter('Thu, 03 Dec 2026 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Thursday, 03-Dec-26 10:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 09:00:00 GMT', NOW)).toBe(0);
  });

  it('gives undefined for a missing or malformed value, so the backoff applies', () => {
    for (const value of [undefined, null, '', '1.5', '-1', '10s', '2026-12-04', 'soon', 'Thu, 99 Foo']) {
      expect(parseRetryAfter(value, NOW), String(value)).toBeUndefined();
    }
  });
});

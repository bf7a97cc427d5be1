import { describe, expect, it } from 'vitest';
import { memoizeByText } from '../src/memoize-by-text.js';

describe('memoizeByText', () => {
  it('computes a text once, and again only after it was forgotten', () => {
    const seen: string[] = [];
    const upper = memoizeByText((text) => {
      seen.push(text);
      return text.toUpperCase();
    }, 2);
    expect([upper('a'), upper('a'), upper('b'), upper('a')]).toEqual(['A', 'A', 'B', 'A']);
    expect(seen).toEqual(['a', 'b']);
    upper('c'); // full: starts over, remembering only c
    upper('a');
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });

  it('remembers undefined results, and never keeps a text longer than the limit', () => {
    let calls = 0;
    const none = memoizeByText(
      () => {
        calls++;
        return undefined;
      },
      8,
      3,
    );
    none('abc');
    none('abc');
    none('abcd');
    none('abcd');
    expect(calls).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { ENVELOPE_KEY, envelopeOf, HELLO_KEY, isHello } from '../src/worker-protocol.js';

describe('worker protocol', () => {
  describe('isHello()', () => {
    it('is true for the hello a worker running startWorkerTracing posts', () => {
      expect(isHello({ [HELLO_KEY]: 1 })).toBe(true);
    });

    it('is false for anything an app posts', () => {
      for (const data of [
        undefined,
        null,
        0,
        'hello',
        [],
        {},
        { [HELLO_KEY]: '1' },
        { [HELLO_KEY]: 2 },
        { ready: true },
      ])
        expect(isHello(data), JSON.stringify(data)).toBe(false);
    });
  });

  describe('envelopeOf()', () => {
    it('returns the envelope the page wrapped a message in', () => {
      const envelope = {
        [ENVELOPE_KEY]: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        data: [1],
      };
      expect(envelopeOf(envelope)).toBe(envelope);
    });

    it('is undefined for an app message, even one that has the key without a carrier', () => {
      for (const data of [
        undefined,
        null,
        'x',
        42,
        { data: 1 },
        { [ENVELOPE_KEY]: 'x', data: 1 },
        { [ENVELOPE_KEY]: null },
      ])
        expect(envelopeOf(data), JSON.stringify(data)).toBeUndefined();
    });
  });
});

import { createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { REQUEST_ROOT_CONTEXT } from '../src/request-context.js';

const A = createContextKey('a');
const B = createContextKey('b');

describe('REQUEST_ROOT_CONTEXT', () => {
  it('behaves as the API context: immutable, the last value set wins, a deleted value is gone', () => {
    const one = REQUEST_ROOT_CONTEXT.setValue(A, 1);
    const two = one.setValue(B, 2).setValue(A, 3);
    expect(REQUEST_ROOT_CONTEXT.getValue(A)).toBeUndefined();
    expect(one.getValue(A)).toBe(1);
    expect(two.getValue(A)).toBe(3);
    expect(two.getValue(B)).toBe(2);
    const deleted = two.deleteValue(A);
    expect(deleted.getValue(A)).toBeUndefined();
    expect(deleted.getValue(B)).toBe(2);
    expect(two.getValue(A)).toBe(3);

    // The same answers as the API's own context for the same steps.
    const api = ROOT_CONTEXT.setValue(A, 1).setValue(B, 2).setValue(A, 3).deleteValue(A);
    expect([deleted.getValue(A), deleted.getValue(B)]).toEqual([api.getValue(A), api.getValue(B)]);
  });

  it('carries spans through the trace API', () => {
    const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true };
    const withSpan = trace.setSpanContext(REQUEST_ROOT_CONTEXT, spanContext);
    expect(trace.getSpanContext(withSpan)).toEqual(spanContext);
    expect(trace.getSpanContext(trace.deleteSpan(withSpan))).toBeUndefined();
  });

  it('keeps every value when a long chain is copied flat', () => {
    const keys = Array.from({ length: 100 }, (_, i) => createContextKey(`k${i}`));
    let context = REQUEST_ROOT_CONTEXT;
    for (const [i, key] of keys.entries()) context = context.setValue(key, i);
    context = context.setValue(keys[0] as symbol, 'again').deleteValue(keys[1] as symbol);
    expect(context.getValue(keys[0] as symbol)).toBe('again');
    expect(context.getValue(keys[1] as symbol)).toBeUndefined();
    for (let i = 2; i < keys.length; i++) expect(context.getValue(keys[i] as symbol)).toBe(i);
  });
});

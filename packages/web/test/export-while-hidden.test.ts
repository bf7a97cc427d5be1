import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ExportWhileHidden } from '../src/export-while-hidden.js';

/** A processor that records what reaches it. */
function recordingProcessor() {
  const calls: string[] = [];
  const processor: SpanProcessor = {
    onStart: () => void calls.push('start'),
    onEnd: () => void calls.push('end'),
    forceFlush: async () => void calls.push('flush'),
    shutdown: async () => void calls.push('shutdown'),
  };
  return { processor, calls };
}

const span = {} as ReadableSpan;

describe('ExportWhileHidden', () => {
  it('leaves a visible page to the batch delay', async () => {
    const { processor, calls } = recordingProcessor();
    const exporting = new ExportWhileHidden(processor, () => false);
    exporting.onStart({} as Span, {} as never);
    exporting.onEnd(span);
    await Promise.resolve();
    expect(calls).toEqual(['start', 'end']);
  });

  it('on a hidden page, exports the spans that end in one task with one flush, right after it', async () => {
    const { processor, calls } = recordingProcessor();
    const exporting = new ExportWhileHidden(processor, () => true);
    exporting.onEnd(span);
    exporting.onEnd(span);
    expect(calls).toEqual(['end', 'end']);
    await Promise.resolve();
    expect(calls).toEqual(['end', 'end', 'flush']);
    exporting.onEnd(span);
    await Promise.resolve();
    expect(calls).toEqual(['end', 'end', 'flush', 'end', 'flush']);
  });
});

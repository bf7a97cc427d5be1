import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { BATCH_DELAY_MS, BatchExportProcessor, MAX_BATCH_SPANS } from '../src/batch-export-processor.js';

const sampled = { spanContext: () => ({ traceFlags: 1 }) } as unknown as ReadableSpan;
const unsampled = { spanContext: () => ({ traceFlags: 0 }) } as unknown as ReadableSpan;

/** A processor over an exporter that records its batches, with timers fired by hand. */
function setUp(hidden: boolean) {
  const batches: number[] = [];
  const calls: string[] = [];
  const exporter: SpanExporter = {
    export: (spans, done) => {
      batches.push(spans.length);
      done({ code: 0 });
    },
    forceFlush: async () => void calls.push('exporter.forceFlush'),
    shutdown: async () => void calls.push('exporter.shutdown'),
  };
  const timers: Array<{ ms: number; fire: () => void; cancelled: boolean }> = [];
  const processor = new BatchExportProcessor({
    exporter,
    isHidden: () => hidden,
    setTimer: (fire, ms) => {
      const timer = { ms, fire, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  });
  return { processor, batches, calls, timers };
}

describe('BatchExportProcessor', () => {
  it('on a visible page, exports a batch after the delay, one timer per batch', () => {
    const { processor, batches, timers } = setUp(false);
    processor.onEnd(sampled);
    processor.onEnd(sampled);
    processor.onEnd(unsampled);
    expect(timers.map((timer) => timer.ms)).toEqual([BATCH_DELAY_MS]);
    expect(batches).toEqual([]);
    timers[0]?.fire();
    expect(batches).toEqual([2]);
    // The next span starts the next batch, with a timer of its own.
    processor.onEnd(sampled);
    expect(timers.map((timer) => timer.ms)).toEqual([BATCH_DELAY_MS, BATCH_DELAY_MS]);
    timers[1]?.fire();
    expect(batches).toEqual([2, 1]);
  });

  it('exports at once when a batch is full', () => {
    const { processor, batches, timers } = setUp(false);
    for (let i = 0; i < MAX_BATCH_SPANS; i++) processor.onEnd(sampled);
    expect(batches).toEqual([MAX_BATCH_SPANS]);
    expect(timers[0]?.cancelled).toBe(true);
  });

  it('on a hidden page, exports the spans that end in one task right after it, with no timer', async () => {
    const { processor, batches, timers } = setUp(true);
    processor.onEnd(sampled);
    processor.onEnd(sampled);
    expect(batches).toEqual([]);
    await Promise.resolve();
    expect(batches).toEqual([2]);
    processor.onEnd(sampled);
    await Promise.resolve();
    expect(batches).toEqual([2, 1]);
    expect(timers).toEqual([]);
  });

  it('forceFlush hands over what has ended and flushes the exporter; shutdown shuts it down', async () => {
    const { processor, batches, calls, timers } = setUp(false);
    processor.onEnd(sampled);
    await processor.forceFlush();
    expect(batches).toEqual([1]);
    expect(timers[0]?.cancelled).toBe(true);
    await processor.shutdown();
    expect(calls).toEqual(['exporter.forceFlush', 'exporter.shutdown']);
  });
});

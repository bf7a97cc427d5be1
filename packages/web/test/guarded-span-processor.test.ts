import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { GuardedSpanProcessor } from '../src/guarded-span-processor.js';
import { captureDiagErrors } from './diag-errors.js';

const errors = captureDiagErrors();

/** A processor whose every method fails: by throwing, or with a rejected promise. */
class FailingProcessor implements SpanProcessor {
  onStart(): void {
    throw new Error('onStart');
  }
  onEnding(): void {
    throw new Error('onEnding');
  }
  onEnd(): void {
    throw new Error('onEnd');
  }
  forceFlush(): Promise<void> {
    return Promise.reject(new Error('forceFlush'));
  }
  shutdown(): Promise<void> {
    throw new Error('shutdown');
  }
}

/** Runs work as InteractionLifetime.bookkeeping does, and counts the calls. */
function bookkeeping() {
  const lifetime = {
    calls: 0,
    bookkeeping<T>(work: () => T): T {
      lifetime.calls++;
      return work();
    },
  };
  return lifetime;
}

describe('GuardedSpanProcessor', () => {
  it('reports what a failing processor throws or rejects, and the processors after it still run', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [
        new GuardedSpanProcessor(new FailingProcessor(), bookkeeping()),
        new SimpleSpanProcessor({ exporter }),
      ],
    });
    provider.getTracer('test').startSpan('survives').end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['survives']);
    await provider.shutdown();
    expect(errors).toEqual(
      ['onStart', 'onEnding', 'onEnd', 'forceFlush', 'shutdown'].map(
        (method) => `clicktrace: span processor FailingProcessor threw in ${method}`,
      ),
    );
  });

  it('hands on every call, onEnd as bookkeeping', async () => {
    const calls: string[] = [];
    const lifetime = bookkeeping();
    const inner: SpanProcessor = {
      onStart: (span: Span) => void calls.push(`onStart ${span.name}`),
      onEnding: (span: Span) => void calls.push(`onEnding ${span.name}`),
      onEnd: (span: ReadableSpan) => void calls.push(`onEnd ${span.name} (bookkeeping: ${lifetime.calls})`),
      forceFlush: async () => void calls.push('forceFlush'),
      shutdown: async () => void calls.push('shutdown'),
    };
    const provider = new TracerProvider({ spanProcessors: [new GuardedSpanProcessor(inner, lifetime)] });
    provider.getTracer('test').startSpan('a').end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(calls).toEqual(['onStart a', 'onEnding a', 'onEnd a (bookkeeping: 1)', 'forceFlush', 'shutdown']);
    expect(errors).toEqual([]);
  });
});

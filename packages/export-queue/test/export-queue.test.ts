import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExportQueue, type ExportQueueOptions, type SendOutcome } from '../src/index.js';

/** A batch of the tests: a name, and how many spans and bytes it counts for. */
interface Batch {
  name: string;
  spans: number;
  bytes?: number;
}

const OK: SendOutcome = { ok: true };
const DOWN: SendOutcome = { ok: false, retryable: true, error: new Error('ECONNREFUSED') };
const REFUSED: SendOutcome = { ok: false, retryable: false, error: new Error('400 Bad Request') };

/**
 * A stand-in collector: every `send` is recorded with the (fake) time it was made, and answers
 * with `answer()` unless the test holds it open with `hold()`.
 */
function fakeCollector(answer: (batch: Batch) => SendOutcome | Promise<SendOutcome> = () => OK) {
  const attempts: { name: string; at: number }[] = [];
  let held: ((outcome: SendOutcome) => void)[] | undefined;
  const collector = {
    attempts,
    answer,
    /** From now on, attempts stay in flight until `release()`. */
    hold() {
      held = [];
    },
    release(outcome: SendOutcome) {
      const waiting = held ?? [];
      held = undefined;
      for (const resolve of waiting) resolve(outcome);
    },
    send: (batch: Batch): Promise<SendOutcome> => {
      attempts.push({ name: batch.name, at: Date.now() });
      if (held) {
        const list = held;
        return new Promise((resolve) => list.push(resolve));
      }
      return Promise.resolve(collector.answer(batch));
    },
    names: () => attempts.map((attempt) => attempt.name),
  };
  return collector;
}

function queueFor(
  collector: ReturnType<typeof fakeCollector>,
  options: Partial<ExportQueueOptions<Batch>> = {},
): ExportQueue<Batch> {
  return new ExportQueue<Batch>({
    send: collector.send,
    sizeOf: (batch) => ({ spans: batch.spans, bytes: batch.bytes ?? batch.spans * 100 }),
    maxSpans: 100,
    maxBytes: 100_000,
    initialBackoffMs: 100,
    maxBackoffMs: 800,
    // The low end of the jitter, so waits are exact: the ceiling's half.
    random: () => 0,
    ...options,
  });
}

function captureDiag(): { warn: string[]; all: string[] } {
  const warn: string[] = [];
  const all: string[] = [];
  const logger: DiagLogger = {
    error: (message) => {
      warn.push(message);
      all.push(message);
    },
    warn: (message) => {
      warn.push(message);
      all.push(message);
    },
    info: (message) => all.push(message),
    debug: (message) => all.push(message),
    verbose: (message) => all.push(message),
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return { warn, all };
}

let logs: ReturnType<typeof captureDiag>;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  logs = captureDiag();
});

afterEach(() => {
  vi.useRealTimers();
  diag.disable();
});

/** Lets every settled promise run its callbacks, without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('ExportQueue', () => {
  describe('.push()', () => {
    it('sends batches in order, one at a time, the next at once after a success', async () => {
      const collector = fakeCollector();
      collector.hold();
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      queue.push({ name: 'b', spans: 1 });
      queue.push({ name: 'c', spans: 1 });
      await settle();
      expect(collector.names(), 'one attempt in flight at a time').toEqual(['a']);

      collector.release(OK);
      await settle();
      expect(collector.names()).toEqual(['a', 'b', 'c']);
      expect(collector.attempts.map((attempt) => attempt.at)).toEqual([0, 0, 0]);
      expect(queue.waiting).toEqual({ batches: 0, spans: 0, bytes: 0 });
    });

    it('drops the oldest batches past maxSpans, with one warning per push that counts them', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector, { maxSpans: 5 });
      queue.push({ name: 'a', spans: 2 });
      await settle(); // a failed: the queue backs off, holding it
      queue.push({ name: 'b', spans: 1 });
      queue.push({ name: 'c', spans: 1 });
      queue.push({ name: 'd', spans: 1 }); // 5: full
      queue.push({ name: 'e', spans: 2 }); // 7 > 5: a goes
      queue.push({ name: 'f', spans: 3 }); // 8 > 5: b, c and d go

      expect(queue.waiting).toEqual({ batches: 2, spans: 5, bytes: 500 });
      expect(queue.dropped.overflow).toBe(5);
      const drops = logs.warn.filter((message) => message.includes('dropped the oldest'));
      expect(drops).toEqual([
        expect.stringContaining('dropped the oldest 2 spans (1 batches)'),
        expect.stringContaining('dropped the oldest 3 spans (3 batches)'),
      ]);
      expect(drops[1]).toContain('at most 5 spans and 100000 bytes (5 dropped so far)');

      collector.answer = () => OK;
      await queue.flush();
      expect(collector.names(), 'the newest batches are left to deliver, in order').toEqual(['a', 'e', 'f']);
    });

    it('drops the oldest batches past maxBytes too', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector, { maxBytes: 1000 });
      queue.push({ name: 'a', spans: 1, bytes: 600 });
      await settle();
      queue.push({ name: 'b', spans: 1, bytes: 500 });
      expect(queue.waiting).toEqual({ batches: 1, spans: 1, bytes: 500 });
      expect(queue.dropped.overflow).toBe(1);
      expect(logs.warn.join('\n')).toContain('dropped the oldest 1 spans (1 batches)');
    });

    it('drops at once a batch bigger than a cap on its own, and says so', async () => {
      const collector = fakeCollector();
      const queue = queueFor(collector, { maxSpans: 10, maxBytes: 1000 });
      queue.push({ name: 'too many spans', spans: 11, bytes: 10 });
      queue.push({ name: 'too many bytes', spans: 1, bytes: 1001 });
      await settle();
      expect(collector.attempts).toEqual([]);
      expect(queue.waiting.batches).toBe(0);
      expect(queue.dropped.oversized).toBe(12);
      expect(logs.warn.filter((message) => message.includes('larger than the queue'))).toHaveLength(2);
    });

    it('keeps the batch in flight, then drops it if its attempt fails with the queue still over', async () => {
      const collector = fakeCollector();
      collector.hold();
      const queue = queueFor(collector, { maxSpans: 3 });
      queue.push({ name: 'in flight', spans: 2 });
      queue.push({ name: 'newer', spans: 2 });
      expect(queue.waiting.spans, 'over the cap by the batch in flight, for now').toBe(4);
      expect(queue.dropped.overflow).toBe(0);

      collector.release(DOWN);
      await settle();
      expect(queue.waiting).toEqual({ batches: 1, spans: 2, bytes: 200 });
      expect(queue.dropped.overflow).toBe(2);
    });

    it('does not start attempts while backing off: no export storm', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      await settle();
      for (let i = 0; i < 50; i++) queue.push({ name: `more ${i}`, spans: 1 });
      await settle();
      expect(collector.attempts).toHaveLength(1);
      expect(queue.waiting.batches).toBe(51);
    });

    it('survives a setTimer that throws: no unhandled rejection, and the next push tries again', async () => {
      // Real timers: a turn of the event loop lets Node report unhandled rejections.
      vi.useRealTimers();
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const collector = fakeCollector(() => DOWN);
        const queue = queueFor(collector, {
          setTimer: () => {
            throw new Error('broken timer');
          },
        });
        queue.push({ name: 'a', spans: 1 });
        await turn();
        queue.push({ name: 'b', spans: 1 });
        await turn();
        expect(unhandled).toEqual([]);
        expect(collector.names()).toEqual(['a', 'a']);
        expect(queue.waiting.batches).toBe(2);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('never throws, even when sizeOf does', () => {
      const collector = fakeCollector();
      const queue = new ExportQueue<Batch>({
        send: collector.send,
        sizeOf: () => {
          throw new Error('broken sizeOf');
        },
        maxSpans: 10,
        maxBytes: 10,
      });
      expect(() => queue.push({ name: 'a', spans: 1 })).not.toThrow();
      expect(logs.warn.join('\n')).toContain('could not queue a batch');
    });
  });

  describe('retries', () => {
    it('waits an exponential backoff, doubling up to maxBackoffMs, with the jitter drawn from its upper half', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector, { initialBackoffMs: 100, maxBackoffMs: 800 });
      queue.push({ name: 'a', spans: 1 });
      await vi.advanceTimersByTimeAsync(10_000);
      const waits = collector.attempts
        .slice(1)
        .map((attempt, i) => attempt.at - (collector.attempts[i]?.at ?? 0));
      // random() = 0: half of each ceiling (100, 200, 400, 800, 800, …).
      expect(waits.slice(0, 6)).toEqual([50, 100, 200, 400, 400, 400]);

      const jittered = fakeCollector(() => DOWN);
      queueFor(jittered, { random: () => 0.5 }).push({ name: 'b', spans: 1 });
      await vi.advanceTimersByTimeAsync(10_000);
      const jitteredWaits = jittered.attempts.slice(1).map((a, i) => a.at - (jittered.attempts[i]?.at ?? 0));
      expect(jitteredWaits.slice(0, 5)).toEqual([75, 150, 300, 600, 600]);
    });

    it('honours Retry-After when it asks for more than the backoff, up to maxRetryAfterMs', async () => {
      const answers: SendOutcome[] = [
        { ok: false, retryable: true, retryAfterMs: 3000, error: new Error('503') },
        { ok: false, retryable: true, retryAfterMs: 10, error: new Error('503') }, // less than the backoff
        { ok: false, retryable: true, retryAfterMs: 3_600_000, error: new Error('503') }, // capped
        OK,
      ];
      const collector = fakeCollector(() => answers.shift() ?? OK);
      const queue = queueFor(collector, { maxRetryAfterMs: 5000 });
      queue.push({ name: 'a', spans: 1 });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(collector.attempts.map((attempt) => attempt.at)).toEqual([0, 3000, 3100, 8100]);
      expect(queue.waiting.batches).toBe(0);
    });

    it('starts the backoff over after a success', async () => {
      let down = true;
      const collector = fakeCollector(() => (down ? DOWN : OK));
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      await vi.advanceTimersByTimeAsync(50 + 100 + 200); // attempts at 0, 50, 150, 350
      expect(collector.attempts).toHaveLength(4);
      down = false;
      await vi.advanceTimersByTimeAsync(400); // the fifth, at 750, delivers
      expect(queue.waiting.batches).toBe(0);

      down = true;
      queue.push({ name: 'b', spans: 1 });
      await settle();
      await vi.advanceTimersByTimeAsync(50);
      const [failed, retried] = collector.attempts.slice(-2);
      expect(retried?.name).toBe('b');
      expect((retried?.at ?? 0) - (failed?.at ?? 0), 'the first backoff again, not the fifth').toBe(50);
    });

    it('starts the backoff over after a refused batch too: the collector answered', async () => {
      let answer = DOWN;
      const collector = fakeCollector(() => answer);
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      await vi.advanceTimersByTimeAsync(50 + 100 + 200); // attempts at 0, 50, 150, 350
      expect(collector.attempts).toHaveLength(4);
      answer = REFUSED;
      await vi.advanceTimersByTimeAsync(400); // the fifth, at 750, is refused: `a` is dropped
      expect(queue.waiting.batches).toBe(0);

      answer = DOWN;
      queue.push({ name: 'b', spans: 1 });
      await settle();
      await vi.advanceTimersByTimeAsync(50);
      const [failed, retried] = collector.attempts.slice(-2);
      expect(retried?.name).toBe('b');
      expect((retried?.at ?? 0) - (failed?.at ?? 0), 'the first backoff again, not the sixth').toBe(50);
    });

    it('counts a send that rejects as a retryable failure', async () => {
      let calls = 0;
      const queue = new ExportQueue<Batch>({
        send: async () => {
          calls++;
          if (calls === 1) throw new Error('the transport threw');
          return OK;
        },
        sizeOf: (batch) => ({ spans: batch.spans, bytes: 1 }),
        maxSpans: 10,
        maxBytes: 10,
        initialBackoffMs: 100,
        random: () => 0,
      });
      queue.push({ name: 'a', spans: 1 });
      await settle();
      expect(queue.waiting.batches, 'kept for a retry').toBe(1);
      await vi.advanceTimersByTimeAsync(50);
      expect(calls).toBe(2);
      expect(queue.waiting.batches).toBe(0);
    });

    it('drops a batch the collector refused for good, counts it, and sends the next at once', async () => {
      const collector = fakeCollector((batch) => (batch.name === 'bad' ? REFUSED : OK));
      const queue = queueFor(collector);
      queue.push({ name: 'bad', spans: 3 });
      queue.push({ name: 'good', spans: 1 });
      await settle();
      expect(collector.names()).toEqual(['bad', 'good']);
      expect(queue.dropped.refused).toBe(3);
      expect(logs.warn.join('\n')).toContain('the collector refused 3 spans; dropped them');
    });

    it('warns when the collector is first lost, not at every retry', async () => {
      const collector = fakeCollector(() => DOWN);
      queueFor(collector).push({ name: 'a', spans: 1 });
      await vi.advanceTimersByTimeAsync(5000);
      expect(collector.attempts.length).toBeGreaterThan(3);
      expect(logs.warn.filter((message) => message.includes('export failed'))).toHaveLength(1);
    });
  });

  describe('.flush()', () => {
    it('sends a batch pushed while its own attempt was in flight, once that attempt is over', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      await settle();
      // Backing off: flush makes the attempt, and a batch comes in meanwhile.
      collector.answer = () => OK;
      collector.hold();
      const flushed = queue.flush();
      queue.push({ name: 'b', spans: 1 });
      collector.release(OK);
      await flushed;
      await settle();
      expect(collector.names()).toEqual(['a', 'a', 'b']);
      expect(queue.waiting.batches).toBe(0);
    });

    it('sends at once, without waiting out the backoff, and resolves when all is delivered', async () => {
      let down = true;
      const collector = fakeCollector(() => (down ? DOWN : OK));
      const queue = queueFor(collector, { initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
      queue.push({ name: 'a', spans: 1 });
      await settle();
      queue.push({ name: 'b', spans: 1 });
      down = false;
      await queue.flush();
      expect(collector.names()).toEqual(['a', 'a', 'b']);
      expect(Date.now(), 'no time passed').toBe(0);
      expect(queue.waiting.batches).toBe(0);
    });

    it('resolves after the first failed attempt, without waiting for the backoff, and keeps the batches', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector, { initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
      queue.push({ name: 'a', spans: 1 });
      queue.push({ name: 'b', spans: 1 });
      await queue.flush();
      expect(Date.now()).toBe(0);
      expect(collector.names()).toEqual(['a']);
      expect(queue.waiting.batches).toBe(2);
    });

    it('shares the attempt already in flight instead of sending the batch twice', async () => {
      const collector = fakeCollector();
      collector.hold();
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      const flushed = queue.flush();
      collector.release(OK);
      await flushed;
      expect(collector.names()).toEqual(['a']);
    });

    it('never rejects: a send that throws is a failed attempt, retried later', async () => {
      const queue = new ExportQueue<Batch>({
        send: () => {
          throw new Error('send threw synchronously');
        },
        sizeOf: () => ({ spans: 1, bytes: 1 }),
        maxSpans: 10,
        maxBytes: 10,
      });
      queue.push({ name: 'a', spans: 1 });
      await expect(queue.flush()).resolves.toBeUndefined();
      expect(queue.waiting.batches).toBe(1);
      expect(vi.getTimerCount(), 'a retry is scheduled').toBe(1);
      expect(logs.warn.join('\n')).toContain('export failed (1 in a row)');
    });
  });

  describe('.shutdown()', () => {
    it('flushes, leaves no timer behind, and refuses (and counts) later pushes', async () => {
      const collector = fakeCollector(() => DOWN);
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 2 });
      await settle();
      expect(vi.getTimerCount(), 'a retry is scheduled').toBe(1);

      await Promise.all([queue.shutdown(), queue.shutdown()]);
      expect(collector.names(), 'one last attempt, at once').toEqual(['a', 'a']);
      expect(vi.getTimerCount()).toBe(0);
      expect(logs.warn.join('\n')).toContain('shut down with 2 spans undelivered');

      queue.push({ name: 'late', spans: 3 });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(collector.names()).toEqual(['a', 'a']);
      expect(queue.dropped.afterShutdown).toBe(3);
    });
  });

  describe('.takeAll()', () => {
    it('hands over every waiting batch, oldest first, but the one in flight', async () => {
      const collector = fakeCollector();
      collector.hold();
      const queue = queueFor(collector);
      queue.push({ name: 'a', spans: 1 });
      queue.push({ name: 'b', spans: 2 });
      queue.push({ name: 'c', spans: 3 });
      expect(queue.takeAll().map((batch) => batch.name)).toEqual(['b', 'c']);
      expect(queue.waiting).toEqual({ batches: 1, spans: 1, bytes: 100 });

      collector.release(DOWN);
      await settle();
      expect(queue.takeAll().map((batch) => batch.name)).toEqual(['a']);
      expect(queue.waiting).toEqual({ batches: 0, spans: 0, bytes: 0 });
      expect(vi.getTimerCount(), 'nothing left to retry').toBe(0);
    });
  });
});

import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import pg from 'pg';
import { ORDER_CONFIRMATION_QUEUE, type OrderQueue } from './order-queue.js';
import type { Order } from './orders.js';

const tracer = trace.getTracer('shop-jobs');
// Messaging semantic conventions; the system is ours (a table), so it names itself.
const SYSTEM = {
  'messaging.system': 'postgresql-jobs',
  'messaging.destination.name': ORDER_CONFIRMATION_QUEUE,
};
/** PostgreSQL's codes for a table created at that moment by another connection's `IF NOT EXISTS`. */
const CREATED_CONCURRENTLY = new Set(['23505', '42P07']);
/** How often an idle worker looks for a job. */
const IDLE_POLL_MS = 100;

/**
 * Jobs in a table of the shop's own PostgreSQL database: the demo's embedded default, and the
 * pattern for any carrier no instrumentation knows. The producer injects the active context into
 * the job's `headers` with `propagation.inject`, under a PRODUCER span; the worker extracts it with
 * `propagation.extract` and processes the job under a CONSUMER span that continues the trace.
 */
export class PostgresOrderQueue implements OrderQueue {
  readonly describe = 'a jobs table in the shop database';
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(databaseUrl: string) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    this.#pool.on('error', (error) => process.stderr.write(`jobs: idle connection lost: ${error.message}\n`));
  }

  connect(): Promise<void> {
    return this.#schema();
  }

  publish(order: Order): Promise<void> {
    return tracer.startActiveSpan(
      `send ${ORDER_CONFIRMATION_QUEUE}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { ...SYSTEM, 'messaging.operation.type': 'send', 'messaging.operation.name': 'send' },
      },
      async (span) => {
        try {
          await this.#schema();
          const headers: Record<string, string> = {};
          propagation.inject(context.active(), headers);
          const { rows } = await this.#pool.query<{ id: string }>(
            'INSERT INTO jobs (queue, headers, body) VALUES ($1, $2, $3) RETURNING id',
            [ORDER_CONFIRMATION_QUEUE, headers, order],
          );
          span.setAttribute('messaging.message.id', String(rows[0]?.id));
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  async consume(handle: (order: Order) => Promise<void>): Promise<void> {
    await this.#schema();
    const poll = async (): Promise<void> => {
      if (this.#stopped) return;
      let found = false;
      try {
        found = await this.#takeOne(handle);
      } catch (error) {
        process.stderr.write(`jobs: ${String(error)}\n`);
      }
      if (!this.#stopped) this.#timer = setTimeout(poll, found ? 0 : IDLE_POLL_MS);
    };
    void poll();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pool.end();
  }

  /**
   * Takes the oldest job off the table and processes it; false when there was none. The job is
   * deleted before it is handled, so a job whose handling fails is not tried again (at most once:
   * enough for a demo's confirmation email; a real queue would delete it after success).
   */
  async #takeOne(handle: (order: Order) => Promise<void>): Promise<boolean> {
    const { rows } = await this.#pool.query<{ id: string; headers: Record<string, string>; body: Order }>(
      `DELETE FROM jobs WHERE id = (
         SELECT id FROM jobs WHERE queue = $1 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1
       ) RETURNING id, headers, body`,
      [ORDER_CONFIRMATION_QUEUE],
    );
    const job = rows[0];
    if (job === undefined) return false;
    // The producer's context, taken from the job: the CONSUMER span is its child.
    const producer = propagation.extract(ROOT_CONTEXT, job.headers);
    await tracer.startActiveSpan(
      `process ${ORDER_CONFIRMATION_QUEUE}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...SYSTEM,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.message.id': job.id,
        },
      },
      producer,
      async (span) => {
        try {
          await handle(job.body);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          process.stderr.write(`order-confirmation failed: ${String(error)}\n`);
        } finally {
          span.end();
        }
      },
    );
    return true;
  }

  #schema(): Promise<void> {
    this.#ready ??= this.#pool
      .query(
        `CREATE TABLE IF NOT EXISTS jobs (
           id bigserial PRIMARY KEY,
           queue text NOT NULL,
           headers jsonb NOT NULL,
           body jsonb NOT NULL
         )`,
      )
      .then(
        () => undefined,
        (error: unknown) => {
          // The API and the worker may both create it at once: the loser's error means it exists.
          if (CREATED_CONCURRENTLY.has((error as { code?: string }).code ?? '')) return;
          this.#ready = undefined;
          throw error;
        },
      );
    return this.#ready;
  }
}

import pg from 'pg';

/** An order as the shop keeps it. */
export interface Order {
  orderId: string;
  items: string[];
  totalCents: number;
}

/**
 * The shop's orders, in PostgreSQL through `pg`: the demo's embedded PGlite server by default
 * (scripts/demo.mjs), or any server `DATABASE_URL` names. Queries carry no tracing code:
 * @clicktrace/node traces `pg` when the app has it.
 */
export class Orders {
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;

  constructor(databaseUrl: string) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    // An idle client's error (the server restarted) must not crash the API: the pool drops it.
    this.#pool.on('error', (error) =>
      process.stderr.write(`orders: idle connection lost: ${error.message}\n`),
    );
  }

  async save(order: Order): Promise<void> {
    await this.#schema();
    await this.#pool.query('INSERT INTO orders (order_id, items, total_cents) VALUES ($1, $2, $3)', [
      order.orderId,
      JSON.stringify(order.items),
      order.totalCents,
    ]);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Created on first use, so the API starts even while the database is still starting. */
  #schema(): Promise<void> {
    this.#ready ??= this.#pool
      .query(
        `CREATE TABLE IF NOT EXISTS orders (
           order_id text PRIMARY KEY,
           items jsonb NOT NULL,
           total_cents integer NOT NULL,
           created_at timestamptz NOT NULL DEFAULT now()
         )`,
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.#ready = undefined; // try again on the next order
          throw error;
        },
      );
    return this.#ready;
  }
}

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// The demo's embedded database: PGlite (PostgreSQL compiled to WebAssembly, in this process, data
// in memory) served over PostgreSQL's own wire protocol, so the shop talks to it with `pg` exactly
// as to a real server. Set DATABASE_URL to use a real PostgreSQL instead.
const port = Number(process.env.PGLITE_PORT ?? 5433);
const db = await PGlite.create();
// PGlite has one connection; the server multiplexes the API's and the worker's pools onto it.
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 16 });
await server.start();
process.stdout.write(`embedded PostgreSQL (PGlite) listening on ${server.getServerConn()}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server
      .stop()
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
}

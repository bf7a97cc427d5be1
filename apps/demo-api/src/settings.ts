/** The shop's PostgreSQL: `DATABASE_URL`, else the demo's embedded PGlite server on its default port. */
export function databaseUrl(): string {
  return (
    process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:${process.env.PGLITE_PORT ?? 5433}/postgres`
  );
}

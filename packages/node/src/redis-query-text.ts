/**
 * `db.query.text` for a Redis command, for the ioredis and redis instrumentations: the command,
 * its key, and `?` for every other argument, as the database conventions ask of literals
 * (`SET session:42 ? ? ?`, `HSET user:7 ? ?`, `SISMEMBER admins ?`).
 *
 * The stock serializer (@opentelemetry/redis-common) keeps every argument of read commands and
 * scripts: a set member, a hash field, and all of an `EVALSHA`'s arguments, which for BullMQ are
 * the job's data. Here only the key survives, and a script's keys (BullMQ's queue names).
 */
export function redisQueryText(command: string, args: ReadonlyArray<unknown>): string {
  if (!Array.isArray(args) || args.length === 0) return command;
  const name = String(command).toUpperCase();
  let kept = SECRET_FIRST.has(name) ? 0 : 1;
  if (SCRIPTS.has(name)) {
    // EVALSHA sha numkeys key [key …] arg [arg …]: the script, its key count and its keys.
    const keys = Number(args[1]);
    kept = Number.isInteger(keys) && keys >= 0 ? Math.min(args.length, 2 + keys) : 1;
  }
  const parts = [command];
  for (let i = 0; i < args.length; i++) parts.push(i < kept ? printable(args[i]) : '?');
  return parts.join(' ');
}

/** Commands whose first argument is a password or a message, not a key. */
const SECRET_FIRST = new Set(['AUTH', 'HELLO', 'ECHO', 'MIGRATE']);
const SCRIPTS = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);

function printable(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'number' || typeof arg === 'bigint') return String(arg);
  if (arg instanceof Uint8Array) return Buffer.from(arg).toString('utf8');
  return '?';
}

/** Durations, clock times and the nanosecond arithmetic the viewer draws with. */

export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Local time of day with milliseconds, from decimal nanoseconds since the epoch. */
export function formatClock(nanos: string): string {
  const date = new Date(Number(BigInt(nanos) / 1_000_000n));
  const time = date.toLocaleTimeString(undefined, { hour12: false });
  return `${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** Milliseconds from one decimal-nanosecond time to another (exact until the division). */
export function msBetween(fromNanos: string, toNanos: string): number {
  return Number(BigInt(toNanos) - BigInt(fromNanos)) / 1e6;
}

export function compareNanos(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The first 8 characters of a trace id: enough to tell traces apart on screen. */
export function shortId(traceId: string): string {
  return traceId.slice(0, 8);
}

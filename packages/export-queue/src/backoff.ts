/** What {@link backoffDelay} needs to know. */
export interface BackoffPolicy {
  /** The wait after the first failed attempt, before jitter. */
  readonly initialMs: number;
  /** The most the doubling may reach, before jitter. */
  readonly maxMs: number;
  /** A number in [0, 1), as `Math.random()` returns. */
  readonly random: () => number;
}

/**
 * How long to wait after the `failures`-th failed attempt in a row (1 for the first): exponential
 * backoff with "equal jitter". The ceiling doubles from `initialMs` up to `maxMs`, and the wait is
 * drawn uniformly from its upper half, [ceiling / 2, ceiling].
 *
 * Why jitter: every process that lost the same collector failed at about the same moment, and
 * without it they would all come back at the same moments too. Why only half of it: a floor of
 * ceiling / 2 keeps a process from retrying almost at once, as "full jitter" (0 to ceiling) allows.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export function backoffDelay(failures: number, { initialMs, maxMs, random }: BackoffPolicy): number {
  // 2 ** 30 is far past any maxMs: capping the exponent keeps the product finite.
  const ceiling = Math.min(initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30), maxMs);
  return ceiling / 2 + random() * (ceiling / 2);
}

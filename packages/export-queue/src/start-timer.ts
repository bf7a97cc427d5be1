/** The parts of the timer API that every JavaScript host has (browsers, workers, Node, Deno, Bun). */
interface HostTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Runs `callback` once after `ms` and returns a function that cancels it. Where the handle has
 * `unref()` (Node, Bun, Deno), the timer does not keep the process alive: spans waiting for a
 * collector must never stop a server from exiting.
 *
 * The host's functions are looked up at each call, not when this module loads, so fake timers
 * installed later (tests) are the ones used.
 */
export function startTimer(callback: () => void, ms: number): () => void {
  const timers = globalThis as unknown as HostTimers;
  const handle = timers.setTimeout(callback, ms);
  (handle as { unref?: () => void } | null)?.unref?.();
  return () => timers.clearTimeout(handle);
}

/**
 * Runs `tick` now and then every `intervalMs` after the previous run finished, while the page
 * is visible: a hidden tab polls nothing, and polls at once when it is shown again.
 */
export function pollWhileVisible(tick: () => Promise<void>, intervalMs: number): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  const visible = () => document.visibilityState === 'visible';
  const run = async (): Promise<void> => {
    timer = undefined;
    running = true;
    // tick shows its own failures; a rejection must not stop the polling.
    await tick().catch(() => undefined);
    running = false;
    if (visible() && timer === undefined) timer = setTimeout(run, intervalMs);
  };
  document.addEventListener('visibilitychange', () => {
    if (!visible()) {
      clearTimeout(timer);
      timer = undefined;
    } else if (timer === undefined && !running) void run();
  });
  void run();
}

import type { BrowserContext } from '@playwright/test';

/** How long a page may take to answer a flush beyond the idle wait it was given. */
const FLUSH_ANSWER_MS = 1_000;

/** The symbol under which @clicktrace/web exposes its SDK to tests (see packages/web). */
const WEB_SDK_KEY = 'clicktrace.web';

/**
 * Asks every page's clicktrace SDK to export now; pages without it are skipped. With `idleMs`, the
 * SDK first waits (up to that long) for its open interactions to end, so a click that is still at
 * work is exported the moment it ends instead of at the next poll.
 */
export async function flushPages(context: BrowserContext, idleMs = 0): Promise<void> {
  // A page that cannot answer (a paused clock, a dialog, an upstream that hangs a passed-on
  // export) must not hold the caller past its own deadline: one look gives up after this long.
  const limit = new Promise<void>((resolve) => setTimeout(resolve, idleMs + FLUSH_ANSWER_MS).unref());
  await Promise.all(
    context.pages().map((page) => {
      const flushed = page
        .evaluate(
          async ([key, idle]) => {
            const sdk = (
              globalThis as Record<
                symbol,
                { flush?: (options?: { idle?: number }) => Promise<void> } | undefined
              >
            )[Symbol.for(key)];
            await sdk?.flush?.({ idle });
          },
          [WEB_SDK_KEY, idleMs] as const,
        )
        .catch(() => undefined);
      return Promise.race([flushed, limit]);
    }),
  );
}

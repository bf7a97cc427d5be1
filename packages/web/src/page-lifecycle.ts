import { diag } from '@opentelemetry/api';
import type { PageExit } from './open-request-spans.js';

/** What the tracing does at each step of the page's lifecycle (see `watchPageLifecycle`). */
export interface PageLifecycleHandlers {
  /** The page was hidden: it may come back, or never run again (a mobile tab killed in the background). */
  hidden(): void;
  /** The page is being left (`pagehide`) or frozen (`freeze`): perhaps the last moment its script runs. */
  exit(reason: PageExit): void;
}

/**
 * Calls the handlers on the page's lifecycle events:
 *
 * - `visibilitychange` to hidden: the last event a mobile browser reliably fires before it may
 *   kill a background tab, but the tab may as well come back;
 * - `pagehide`: the page is being left (unloaded, or put in the back/forward cache, whence it may
 *   come back: `pageshow` then finds everything still running, nothing to restart);
 * - `freeze` (Chromium): a hidden page is about to be frozen, and may be discarded from there
 *   without any other event.
 *
 * `pagehide`, not `unload`: an `unload` listener keeps a page out of the back/forward cache.
 * Returns the function that removes the listeners.
 */
export function watchPageLifecycle(target: Window, handlers: PageLifecycleHandlers): () => void {
  const document = target.document;
  // Listeners of the page's own events: an error here would be the page's uncaught error.
  function safely(handle: () => void): void {
    try {
      handle();
    } catch (error) {
      diag.error('clicktrace: could not end and export the open spans', error);
    }
  }
  function onVisibilityChange(): void {
    if (document.visibilityState === 'hidden') safely(handlers.hidden);
  }
  function onPageHide(): void {
    safely(() => handlers.exit('pagehide'));
  }
  function onFreeze(): void {
    safely(() => handlers.exit('freeze'));
  }
  document.addEventListener('visibilitychange', onVisibilityChange);
  target.addEventListener('pagehide', onPageHide);
  document.addEventListener('freeze', onFreeze);
  return function stopWatchingPageLifecycle() {
    document.removeEventListener('visibilitychange', onVisibilityChange);
    target.removeEventListener('pagehide', onPageHide);
    document.removeEventListener('freeze', onFreeze);
  };
}

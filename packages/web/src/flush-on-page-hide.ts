/**
 * Exports buffered spans when the page is hidden or unloaded: the last chance the browser gives
 * us (the exporter's fetch uses `keepalive`, so the request outlives the page).
 * Returns the function that removes the listeners.
 */
export function flushOnPageHide(target: Window, flush: () => void): () => void {
  const document = target.document;
  function onVisibilityChange(): void {
    if (document.visibilityState === 'hidden') flush();
  }
  function onPageHide(): void {
    flush();
  }
  document.addEventListener('visibilitychange', onVisibilityChange);
  target.addEventListener('pagehide', onPageHide);
  return function stopFlushingOnPageHide() {
    document.removeEventListener('visibilitychange', onVisibilityChange);
    target.removeEventListener('pagehide', onPageHide);
  };
}

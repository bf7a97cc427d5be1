/**
 * The one way the viewer makes elements. Every piece of data goes in through `textContent`,
 * never as HTML: span names, attributes and break texts come from whoever posts to the
 * collector.
 */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | number,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** The element with this id, which the page's markup (viewerDocument) always has. */
export function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the viewer page has no #${id}`);
  return node;
}

/**
 * A link to a place in the viewer (`#trace=…`, `#breaks`). `open`, when given, runs instead of
 * following it: a saved page may sit where its URL cannot change (a test report's frame).
 */
export function hashLink(hash: string, text: string, open?: () => void): HTMLAnchorElement {
  const link = el('a', '', text);
  link.href = `#${hash}`;
  if (open) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      open();
    });
  }
  return link;
}

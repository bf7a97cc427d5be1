/**
 * The list of traces, newest first. It is redrawn on every poll without flicker: an item is
 * built once per trace and rebuilt only when its summary changed, so the selection, focus and
 * hover stay, and when the list is scrolled the first visible item stays where it was while
 * new traces arrive above it (done here, not left to CSS scroll anchoring, which not every
 * browser has).
 */
import { el } from './dom.js';
import { formatClock, formatMs, shortId } from './format.js';
import type { ListedTrace } from './saved-data.js';

interface Item {
  node: HTMLAnchorElement;
  /** The summary it was drawn from, as JSON. */
  drawn: string;
}

export class TraceList {
  private readonly _list: HTMLElement;
  private readonly _items = new Map<string, Item>();
  private readonly _open: ((traceId: string) => void) | undefined;
  private readonly _note: HTMLElement = el('div', 'empty');

  /** `open`, when given, opens a clicked trace instead of following its `#trace=` link. */
  constructor(list: HTMLElement, open?: (traceId: string) => void) {
    this._list = list;
    this._open = open;
  }

  /**
   * Shows `traces` in this order. `note`, when given, follows the list: why it is empty, or
   * what is still being searched.
   */
  render(traces: readonly ListedTrace[], selectedTraceId: string | undefined, note?: string): void {
    const anchor = this._scrollAnchor();
    const wanted = new Set(traces.map((trace) => trace.traceId));
    for (const [traceId, item] of this._items) {
      if (wanted.has(traceId)) continue;
      item.node.remove();
      this._items.delete(traceId);
    }
    traces.forEach((trace, index) => {
      const item = this._item(trace);
      item.node.classList.toggle('selected', trace.traceId === selectedTraceId);
      if (this._list.children[index] !== item.node)
        this._list.insertBefore(item.node, this._list.children[index] ?? null);
    });
    if (note === undefined) this._note.remove();
    else {
      this._note.textContent = note;
      this._list.append(this._note);
    }
    if (anchor?.node.isConnected) this._list.scrollTop += this._offset(anchor.node) - anchor.offset;
  }

  select(traceId: string | undefined): void {
    for (const [id, item] of this._items) item.node.classList.toggle('selected', id === traceId);
  }

  /** The item at the top of the scrolled list and where it is; none at the very top, where new traces show. */
  private _scrollAnchor(): { node: HTMLElement; offset: number } | undefined {
    if (this._list.scrollTop <= 0) return undefined;
    for (const node of this._list.querySelectorAll<HTMLElement>(':scope > .trace')) {
      const offset = this._offset(node);
      if (offset + node.getBoundingClientRect().height > 0) return { node, offset };
    }
    return undefined;
  }

  /** How far below the list's visible top `node` starts (negative: above it). */
  private _offset(node: HTMLElement): number {
    return node.getBoundingClientRect().top - this._list.getBoundingClientRect().top;
  }

  private _item(trace: ListedTrace): Item {
    const drawn = JSON.stringify(trace);
    let item = this._items.get(trace.traceId);
    if (item?.drawn === drawn) return item;
    if (!item) {
      const node = el('a', 'trace');
      node.href = `#trace=${trace.traceId}`;
      const open = this._open;
      if (open) {
        node.addEventListener('click', (event) => {
          event.preventDefault();
          open(trace.traceId);
        });
      }
      item = { node, drawn };
      this._items.set(trace.traceId, item);
    }
    item.drawn = drawn;
    item.node.replaceChildren(...itemContent(trace));
    return item;
  }
}

function itemContent(trace: ListedTrace): HTMLElement[] {
  const name = el('div', 'name');
  name.append(el('span', '', trace.rootName ?? `(root span missing) ${shortId(trace.traceId)}`));
  const breaks = trace.breakCount ?? 0;
  if (breaks > 0) {
    const badge = el('span', 'badge', breaks === 1 ? '1 break' : `${breaks} breaks`);
    badge.title = 'This trace broke: the waterfall shows where and why';
    name.append(badge);
  }
  const meta = el('div', 'meta');
  meta.append(
    el('span', '', trace.serviceNames.join(', ')),
    el('span', '', trace.spanCount === 1 ? '1 span' : `${trace.spanCount} spans`),
    el('span', '', formatMs(trace.durationMs)),
    el('span', '', formatClock(trace.startTimeUnixNano)),
  );
  return [name, meta];
}

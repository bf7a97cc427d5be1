/**
 * The viewer's state and what changes it: which page is shown (a trace or the breaks), which
 * trace and span are selected, the filter, and the data last read. The live page polls the
 * collector every second while it is visible and redraws only what changed; a saved page
 * reads its own data once.
 *
 * `#trace=<traceId>` in the URL opens a trace, `&span=<spanId>` also that span's details, and
 * `#breaks` the breaks page.
 */
import { drawBreaksPage } from './breaks-page.js';
import type { DataSource } from './data-source.js';
import { byId, el, hashLink } from './dom.js';
import { FilterBar, isFiltering, matchTrace, needsSpans } from './filters.js';
import { pollWhileVisible } from './poller.js';
import type { ListedTrace } from './saved-data.js';
import { ServiceColors } from './service-colors.js';
import { drawSpanPanel } from './span-panel.js';
import { TraceList } from './trace-list.js';
import { TraceSpans } from './trace-spans.js';
import { drawWaterfall } from './waterfall.js';
import { otherTraceIds, waterfallRows } from './waterfall-rows.js';

/** How often the live page reads the collector. */
export const POLL_MS = 1000;

const TRACE_HASH = /trace=([0-9a-fA-F]{32})/;
const SPAN_HASH = /span=([0-9a-fA-F]{16})/;

export class Viewer {
  private readonly _source: DataSource;
  private readonly _colors = new ServiceColors();
  private readonly _list: TraceList;
  private readonly _filter: FilterBar;
  private readonly _spans: TraceSpans;
  private _page: 'trace' | 'breaks' = 'trace';
  private _traces: ListedTrace[] = [];
  private _selectedTraceId: string | undefined;
  private _selectedSpanId: string | undefined;
  /** What the drawn waterfall was drawn from (span and break counts), to redraw it only when that changed. */
  private _drawnFrom: string | undefined;
  /** The other traces joined into the drawn waterfall by its breaks. */
  private _joined: string[] = [];
  /** Counts trace loads, so the answer to an older one is dropped. */
  private _loads = 0;
  private _drawnBreaks: string | undefined;

  constructor(source: DataSource) {
    this._source = source;
    // A saved page may sit where its URL cannot change (a test report's frame): its links
    // open their target in place.
    this._list = new TraceList(byId('list'), source.live ? undefined : (traceId) => this.openTrace(traceId));
    this._filter = new FilterBar(byId('filters'), () => this._onFilter());
    this._spans = new TraceSpans(source);
  }

  start(): void {
    const breaksLink = hashLink('breaks', 'Breaks', this._source.live ? undefined : () => this.showBreaks());
    breaksLink.id = 'breaks-link';
    byId('nav').append(breaksLink);
    if (this._source.live) {
      const clear = el('button', '', 'Clear traces');
      clear.id = 'clear';
      clear.type = 'button';
      clear.addEventListener('click', () => void this._clear());
      byId('nav').append(clear);
    }
    window.addEventListener('hashchange', () => this._route());
    if (this._source.live) {
      this._route();
      pollWhileVisible(() => this.refresh(), POLL_MS);
    } else {
      // After the list: a saved page opens its first trace when the URL names none.
      void this.refresh().then(() => this._route());
    }
  }

  /** Reads the data again and redraws what changed. */
  async refresh(): Promise<void> {
    try {
      this._traces = await this._source.traces();
    } catch {
      byId('count').textContent = 'collector unreachable';
      return;
    }
    this._drawList();
    await Promise.all([
      this._page === 'trace' ? this._refreshTrace() : this._refreshBreaks(),
      this._searchSpans(),
    ]);
  }

  openTrace(traceId: string | undefined, spanId?: string): void {
    this._showPage('trace');
    const sameTrace = traceId === this._selectedTraceId && this._drawnFrom !== undefined;
    this._selectedSpanId = spanId;
    this._list.select(traceId);
    if (sameTrace) {
      // Only the span changes: select its row, without reloading.
      const rows = byId('waterfall').querySelectorAll<HTMLElement>('.row[data-span-id]');
      if (spanId) [...rows].find((row) => row.dataset.spanId === spanId)?.click();
      return;
    }
    this._selectedTraceId = traceId;
    this._drawnFrom = undefined;
    this._joined = [];
    byId('panel').hidden = true;
    const waterfall = byId('waterfall');
    if (!traceId) {
      waterfall.replaceChildren(el('div', 'empty', 'Select a trace on the left.'));
      return;
    }
    waterfall.replaceChildren(el('div', 'empty', 'Loading…'));
    void this._loadTrace(traceId);
  }

  showBreaks(): void {
    this._showPage('breaks');
    void this._refreshBreaks();
  }

  private _route(): void {
    if (/^#?breaks\b/.test(location.hash)) {
      this.showBreaks();
      return;
    }
    const traceId = TRACE_HASH.exec(location.hash)?.[1]?.toLowerCase();
    const spanId = SPAN_HASH.exec(location.hash)?.[1]?.toLowerCase();
    // A saved page opens its first trace when the URL names none.
    this.openTrace(traceId ?? (this._source.live ? undefined : this._traces[0]?.traceId), spanId);
  }

  private _showPage(page: 'trace' | 'breaks'): void {
    this._page = page;
    byId('detail').hidden = page !== 'trace';
    byId('breaks-page').hidden = page !== 'breaks';
    const link = byId('breaks-link');
    if (page === 'breaks') link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }

  private _drawList(): void {
    const filter = this._filter.value;
    this._filter.setServices(this._traces);
    const total = this._traces.length;
    const plural = total === 1 ? 'trace' : 'traces';
    if (!isFiltering(filter)) {
      byId('count').textContent = `${total} ${plural}`;
      const empty = this._source.live
        ? `No traces yet. Send OTLP/HTTP to ${location.origin}/v1/traces`
        : 'No spans.';
      this._list.render(this._traces, this._selectedTraceId, total === 0 ? empty : undefined);
      return;
    }
    let pending = 0;
    const shown = this._traces.filter((trace) => {
      const match = matchTrace(filter, trace, this._spans.get(trace));
      if (match === undefined) pending++;
      return match === true;
    });
    byId('count').textContent = `${shown.length} of ${total} ${plural}`;
    const note =
      pending > 0
        ? `Searching ${pending} more ${pending === 1 ? 'trace' : 'traces'}…`
        : shown.length === 0
          ? 'No trace matches the filter.'
          : undefined;
    this._list.render(shown, this._selectedTraceId, note);
  }

  private _onFilter(): void {
    this._drawList();
    void this._searchSpans();
  }

  private async _searchSpans(): Promise<void> {
    if (!needsSpans(this._filter.value)) return;
    await this._spans.load(this._traces, () => this._drawList());
  }

  /** What the selected trace would be drawn from now: its and its joined traces' counts. */
  private _currentSource(): string {
    const counts = new Map(this._traces.map((t) => [t.traceId, `${t.spanCount}/${t.breakCount ?? 0}`]));
    return [this._selectedTraceId ?? '', ...this._joined]
      .map((id) => `${id}:${counts.get(id) ?? '-'}`)
      .join(' ');
  }

  private async _refreshTrace(): Promise<void> {
    const traceId = this._selectedTraceId;
    if (!traceId || this._drawnFrom === this._currentSource()) return;
    await this._loadTrace(traceId);
  }

  private async _loadTrace(traceId: string): Promise<void> {
    const load = ++this._loads;
    const drawnFrom = this._currentSource();
    const detail = await this._source.trace(traceId).catch(() => undefined);
    if (load !== this._loads) return;
    const waterfall = byId('waterfall');
    if (!detail || detail.spans.length === 0) {
      const where = this._source.live
        ? 'is not in the collector (cleared or evicted)'
        : 'is not in this page';
      waterfall.replaceChildren(el('div', 'empty', `Trace ${traceId} ${where}.`));
      this._drawnFrom = drawnFrom;
      return;
    }
    const joined = otherTraceIds(traceId, detail.breaks);
    const others = new Map(
      await Promise.all(
        joined.map(
          async (id) => [id, (await this._source.trace(id).catch(() => undefined))?.spans ?? []] as const,
        ),
      ),
    );
    if (load !== this._loads) return;
    for (const [id, spans] of others) if (spans.length === 0) others.delete(id);
    this._joined = joined;
    this._drawnFrom = this._currentSource();

    const rows = waterfallRows({ traceId, spans: detail.spans, breaks: detail.breaks, others });
    // Redrawn in one go, with no placeholder in between: the waterfall and the panel keep
    // where they were scrolled to.
    const panel = byId('panel');
    drawWaterfall(waterfall, {
      traceId,
      spans: detail.spans,
      rows,
      colors: this._colors,
      selectedSpanId: this._selectedSpanId,
      onSelect: (row) => {
        this._selectedSpanId = row.span.spanId;
        drawSpanPanel(panel, row.span, { orphan: row.orphan, joined: !!row.joined });
      },
      openTrace: this._source.live ? undefined : (id) => this.openTrace(id),
    });
    const selected = rows.find((row) => row.type === 'span' && row.span.spanId === this._selectedSpanId);
    if (selected?.type === 'span') {
      drawSpanPanel(panel, selected.span, { orphan: selected.orphan, joined: !!selected.joined });
    }
  }

  private async _refreshBreaks(): Promise<void> {
    let options: Parameters<typeof drawBreaksPage>[1];
    try {
      options = { breaks: await this._source.breaks() };
    } catch {
      options = { breaks: undefined, error: 'The collector is unreachable.' };
    }
    if (this._page !== 'breaks') return;
    const drawn = JSON.stringify(options);
    if (drawn === this._drawnBreaks) return;
    this._drawnBreaks = drawn;
    drawBreaksPage(byId('breaks-page'), {
      ...options,
      openTrace: this._source.live ? undefined : (traceId, spanId) => this.openTrace(traceId, spanId),
    });
  }

  private async _clear(): Promise<void> {
    await this._source.clear().catch(() => undefined);
    history.replaceState(null, '', location.pathname + location.search);
    this.openTrace(undefined);
    await this.refresh();
  }
}

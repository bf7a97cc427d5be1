/**
 * Draws one trace: heading, service legend, time axis and a row per span (bar, events, error
 * outline, duration), with the marker of each break and the other trace's part joined in
 * (dashed). A row's click selects its span.
 */
import type { StoredSpan } from '../types.js';
import { breakMarker } from './break-words.js';
import { el } from './dom.js';
import { compareNanos, formatClock, formatMs, msBetween } from './format.js';
import type { ServiceColors } from './service-colors.js';
import { routeBeside, spanLabel } from './span-label.js';
import type { SpanRow, WaterfallRow } from './waterfall-rows.js';

export interface WaterfallOptions {
  traceId: string;
  /** This trace's own spans (the rows also hold joined ones). */
  spans: readonly StoredSpan[];
  rows: readonly WaterfallRow[];
  colors: ServiceColors;
  selectedSpanId?: string;
  onSelect: (row: SpanRow) => void;
  /** How a break's link opens a trace; undefined follows the link. */
  openTrace?: (traceId: string) => void;
}

/** Draws into `view`, replacing what was there. */
export function drawWaterfall(view: HTMLElement, options: WaterfallOptions): void {
  const { traceId, spans, rows, colors, selectedSpanId, onSelect, openTrace } = options;
  const spanRows = rows.filter((row): row is SpanRow => row.type === 'span');
  const drawn = spanRows.map((row) => row.span);
  if (drawn.length === 0) {
    view.replaceChildren(el('div', 'empty', `Trace ${traceId} has no spans.`));
    return;
  }
  const start = drawn.map((s) => s.startTimeUnixNano).reduce((a, b) => (compareNanos(a, b) <= 0 ? a : b));
  const end = drawn.map((s) => s.endTimeUnixNano).reduce((a, b) => (compareNanos(a, b) >= 0 ? a : b));
  const total = Math.max(msBetween(start, end), 0.001);
  const root = spanRows.find((row) => !row.joined && !row.span.parentSpanId);

  const own = spans.length === 1 ? '1 span' : `${spans.length} spans`;
  view.replaceChildren(
    el('h2', '', root ? spanLabel(root.span) : `Trace ${traceId}`),
    el('div', 'subtitle', `trace ${traceId} · ${own} · ${formatMs(total)} · ${formatClock(start)}`),
    legend(spanRows, colors),
    axis(total),
  );
  for (const row of rows) {
    if (row.type === 'break') {
      const line = el('div', 'row break-row');
      line.style.paddingLeft = `${row.depth * 16}px`;
      line.append(
        breakMarker(row.brk, { otherTraceId: row.otherTraceId, otherShown: row.otherShown, openTrace }),
      );
      view.append(line);
      continue;
    }
    const line = spanLine(row, { start, total, color: colors.of(row.span.serviceName) });
    line.dataset.spanId = row.span.spanId;
    if (row.span.spanId === selectedSpanId) line.classList.add('selected');
    line.addEventListener('click', () => {
      for (const other of view.querySelectorAll('.row.selected')) other.classList.remove('selected');
      line.classList.add('selected');
      onSelect(row);
    });
    view.append(line);
  }
}

function legend(rows: readonly SpanRow[], colors: ServiceColors): HTMLElement {
  const box = el('div', 'legend');
  for (const service of new Set(rows.map((row) => row.span.serviceName))) {
    const entry = el('span');
    const swatch = el('i', 'swatch');
    swatch.style.background = colors.of(service);
    entry.append(swatch, el('span', '', service));
    box.append(entry);
  }
  return box;
}

function axis(total: number): HTMLElement {
  const row = el('div', 'row axis-row');
  const ticks = el('div', 'axis');
  for (let i = 0; i <= 4; i++) {
    const tick = el('span', 'tick', formatMs((total * i) / 4));
    tick.style.left = `${i * 25}%`;
    if (i === 0) tick.style.transform = 'none';
    if (i === 4) tick.style.transform = 'translateX(-100%)';
    ticks.append(tick);
  }
  row.append(el('div', 'label'), ticks);
  return row;
}

function spanLine(row: SpanRow, scale: { start: string; total: number; color: string }): HTMLElement {
  const { span } = row;
  const offset = msBetween(scale.start, span.startTimeUnixNano);
  const duration = Math.max(msBetween(span.startTimeUnixNano, span.endTimeUnixNano), 0);
  const line = el('div', row.joined ? 'row joined' : 'row');
  const label = el('div', 'label');
  label.style.paddingLeft = `${row.depth * 16}px`;
  label.title = `${spanLabel(span)} (${span.serviceName})${row.joined ? `, trace ${span.traceId}` : ''}`;
  label.append(el('span', 'name', span.name));
  const route = routeBeside(span);
  if (route) label.append(' ', el('span', 'route', route));
  label.append(el('span', 'kind', span.kind.toLowerCase()));
  if (row.orphan) label.append(el('span', 'orphan', 'parent missing'));
  if (row.joined) label.append(el('span', 'other-trace', 'other trace'));

  const track = el('div', 'track');
  const bar = el('div', span.status.code === 'ERROR' ? 'bar error' : 'bar');
  const left = (offset / scale.total) * 100;
  const width = (duration / scale.total) * 100;
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  bar.style.background = scale.color;
  for (const event of span.events) {
    const mark = el('i', 'event');
    mark.title = event.name;
    const at = duration > 0 ? (msBetween(span.startTimeUnixNano, event.timeUnixNano) / duration) * 100 : 0;
    mark.style.left = `${at}%`;
    bar.append(mark);
  }
  const text = el('span', 'duration', formatMs(duration));
  // The duration goes right of the bar; near the right edge it goes left of it, or inside it
  // when the bar spans nearly the whole trace.
  if (left + width <= 80) text.style.left = `${left + width}%`;
  else if (left >= 15) text.style.right = `${100 - left}%`;
  else {
    text.classList.add('inside');
    text.style.right = `${100 - left - width}%`;
  }
  track.append(bar, text);
  line.append(label, track);
  return line;
}

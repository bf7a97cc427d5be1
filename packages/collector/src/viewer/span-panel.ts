/** The details of one span, below the waterfall: its facts, attributes, events, links and resource. */
import type { AttributeValue, StoredSpan } from '../types.js';
import { el } from './dom.js';
import { formatClock, formatMs, msBetween } from './format.js';
import { routeBeside } from './span-label.js';

export interface SpanPanelOptions {
  /** Its parent id names a span that is not in the trace. */
  orphan: boolean;
  /** It belongs to another trace, joined in by a break. */
  joined: boolean;
}

/** Draws into `panel`, replacing what was there, and shows it. */
export function drawSpanPanel(
  panel: HTMLElement,
  span: StoredSpan,
  { orphan, joined }: SpanPanelOptions,
): void {
  const heading = el('h3', '', span.name);
  const route = routeBeside(span);
  if (route) heading.append(' ', el('span', 'route', route));
  const status = span.status.code + (span.status.message ? `: ${span.status.message}` : '');
  const facts: [string, string][] = [
    ['service', span.serviceName],
    ['kind', span.kind],
    ['status', status],
    ['duration', formatMs(Math.max(msBetween(span.startTimeUnixNano, span.endTimeUnixNano), 0))],
    ['start', formatClock(span.startTimeUnixNano)],
    ['spanId', span.spanId],
    ['parentSpanId', span.parentSpanId ? span.parentSpanId + (orphan ? ' (parent missing)' : '') : '(root)'],
    ['scope', span.scope.name + (span.scope.version ? ` ${span.scope.version}` : '')],
  ];
  if (joined) facts.push(['traceId', `${span.traceId} (another trace, joined in by a break)`]);
  if (span.traceState) facts.push(['traceState', span.traceState]);
  const factTable = kvTable(facts);
  if (span.status.code === 'ERROR') factTable.rows[2]?.cells[1]?.classList.add('status-error');

  panel.replaceChildren(heading, factTable, el('h4', '', 'Attributes'), kvTable(sorted(span.attributes)));
  if (span.events.length > 0) {
    panel.append(el('h4', '', 'Events'));
    for (const event of span.events) {
      const at = formatMs(msBetween(span.startTimeUnixNano, event.timeUnixNano));
      panel.append(el('div', '', `${event.name} at +${at}`), kvTable(sorted(event.attributes)));
    }
  }
  if (span.links.length > 0) {
    panel.append(el('h4', '', 'Links'));
    for (const link of span.links) {
      panel.append(el('div', '', `${link.traceId} / ${link.spanId}`), kvTable(sorted(link.attributes)));
    }
  }
  panel.append(el('h4', '', 'Resource'), kvTable(sorted(span.resource)));
  panel.hidden = false;
}

/** Attribute values as one line: strings as they are, anything else as JSON. */
export function valueText(value: AttributeValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function sorted(record: Record<string, AttributeValue>): [string, string][] {
  return Object.keys(record)
    .sort()
    .map((key) => [key, valueText(record[key])]);
}

function kvTable(entries: readonly [string, string][]): HTMLTableElement {
  const table = el('table', 'kv');
  if (entries.length === 0) table.insertRow().append(el('td', '', '(none)'));
  for (const [key, value] of entries) table.insertRow().append(el('td', '', key), el('td', '', value));
  return table;
}

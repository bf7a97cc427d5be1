/**
 * The trace list's filter: by service, by status (a trace with an error span, or one without)
 * and by text (a span name, an attribute value or the trace id contains it, ignoring case).
 * Status and most of the text need the trace's spans; a trace whose spans are not loaded yet
 * matches "not known yet" (undefined).
 */
import type { StoredSpan } from '../types.js';
import { el } from './dom.js';
import type { ListedTrace } from './saved-data.js';
import { valueText } from './span-panel.js';

export type StatusFilter = 'any' | 'error' | 'ok';

export interface TraceFilter {
  /** Matched against span names, attribute values and the trace id; '' matches all. */
  text: string;
  /** A service name; '' for all. */
  service: string;
  status: StatusFilter;
}

export const NO_FILTER: TraceFilter = { text: '', service: '', status: 'any' };

export function isFiltering(filter: TraceFilter): boolean {
  return filter.text.trim() !== '' || filter.service !== '' || filter.status !== 'any';
}

/** Whether matching needs the traces' spans (the summaries carry names of services only). */
export function needsSpans(filter: TraceFilter): boolean {
  return filter.text.trim() !== '' || filter.status !== 'any';
}

/** Whether `trace` matches; undefined when that depends on spans not loaded (`spans` undefined). */
export function matchTrace(
  filter: TraceFilter,
  trace: ListedTrace,
  spans: readonly StoredSpan[] | undefined,
): boolean | undefined {
  if (filter.service !== '' && !trace.serviceNames.includes(filter.service)) return false;
  const text = filter.text.trim().toLowerCase();
  const textInSummary = text === '' || contains(trace.traceId, text) || contains(trace.rootName ?? '', text);
  if (filter.status === 'any' && textInSummary) return true;
  if (spans === undefined) return undefined;
  if (
    filter.status !== 'any' &&
    spans.some((s) => s.status.code === 'ERROR') !== (filter.status === 'error')
  ) {
    return false;
  }
  return textInSummary || spans.some((span) => spanContains(span, text));
}

function spanContains(span: StoredSpan, text: string): boolean {
  return (
    contains(span.name, text) ||
    Object.values(span.attributes).some((value) => contains(valueText(value), text))
  );
}

function contains(haystack: string, lowerNeedle: string): boolean {
  return haystack.toLowerCase().includes(lowerNeedle);
}

/** The filter's controls, above the trace list: a search box and two menus. */
export class FilterBar {
  private readonly _text: HTMLInputElement;
  private readonly _service: HTMLSelectElement;
  private readonly _status: HTMLSelectElement;
  private _services = '';

  constructor(container: HTMLElement, onChange: () => void) {
    this._text = el('input');
    this._text.type = 'search';
    this._text.placeholder = 'Filter: span name, attribute, trace id';
    this._text.setAttribute('aria-label', 'Filter traces by text');
    this._service = el('select');
    this._service.setAttribute('aria-label', 'Service');
    this._service.append(option('', 'All services'));
    this._status = el('select');
    this._status.setAttribute('aria-label', 'Status');
    this._status.append(
      option('any', 'Any status'),
      option('error', 'With errors'),
      option('ok', 'Without errors'),
    );
    this._text.addEventListener('input', onChange);
    this._service.addEventListener('change', onChange);
    this._status.addEventListener('change', onChange);
    container.replaceChildren(this._text, this._service, this._status);
  }

  get value(): TraceFilter {
    const status = this._status.value;
    return {
      text: this._text.value,
      service: this._service.value,
      status: status === 'error' || status === 'ok' ? status : 'any',
    };
  }

  /** Offers the services of `traces` (and keeps the chosen one, even when it has none left). */
  setServices(traces: readonly ListedTrace[]): void {
    const chosen = this._service.value;
    const names = new Set(traces.flatMap((trace) => trace.serviceNames));
    if (chosen !== '') names.add(chosen);
    const sorted = [...names].sort();
    const key = JSON.stringify(sorted);
    if (key === this._services) return;
    this._services = key;
    this._service.replaceChildren(option('', 'All services'), ...sorted.map((name) => option(name, name)));
    this._service.value = chosen;
  }
}

function option(value: string, text: string): HTMLOptionElement {
  const node = el('option', '', text);
  node.value = value;
  return node;
}

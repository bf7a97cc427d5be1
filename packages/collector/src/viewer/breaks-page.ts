/**
 * The Breaks page (`#breaks`): every place where a trace broke, newest first, each with its
 * kind in words, what happened, what to change, when, and links to the traces at both ends.
 */
import type { BreakEnd, TraceBreak } from '../types.js';
import { kindInWords } from './break-words.js';
import { el, hashLink } from './dom.js';
import { formatClock, shortId } from './format.js';

export interface BreaksPageOptions {
  /** Newest first; undefined when the collector does not report breaks. */
  breaks: readonly TraceBreak[] | undefined;
  /** How a link opens a trace; undefined follows the link. */
  openTrace?: (traceId: string, spanId: string) => void;
  /** Why there is nothing to show, when the breaks could not be read. */
  error?: string;
}

/** Draws into `page`, replacing what was there. */
export function drawBreaksPage(page: HTMLElement, { breaks, openTrace, error }: BreaksPageOptions): void {
  page.replaceChildren(el('h2', '', 'Breaks'));
  if (error !== undefined || breaks === undefined) {
    page.append(
      el('div', 'empty', error ?? 'This collector does not report breaks (it is older than this viewer).'),
    );
    return;
  }
  if (breaks.length === 0) {
    page.append(el('div', 'empty', 'No breaks: every trace that should continue did.'));
    return;
  }
  const list = el('ol', 'breaks');
  for (const brk of breaks) {
    const item = el('li', `break-item ${brk.category === 'policy' ? 'policy' : 'fault'}`);
    const head = el('div', 'break-head');
    head.append(
      el('strong', 'break-kind', kindInWords(brk)),
      el('span', 'muted', formatClock(brk.timeUnixNano)),
    );
    item.append(head);
    if (brk.summary) item.append(el('div', 'break-summary', brk.summary));
    if (brk.fix) {
      const fix = el('div', 'break-fix');
      fix.append(el('span', 'break-label', 'Fix: '), el('span', '', brk.fix));
      item.append(fix);
    }
    const ends = el('div', 'break-ends');
    ends.append(endLink('from', brk.from, openTrace));
    if (brk.to) ends.append(endLink('to', brk.to, openTrace));
    else ends.append(el('span', 'muted', 'to: no span arrived'));
    item.append(ends);
    list.append(item);
  }
  page.append(list);
}

function endLink(side: string, end: BreakEnd, openTrace: BreaksPageOptions['openTrace']): HTMLElement {
  const box = el('span', 'break-end');
  const text = `${end.name} (${end.serviceName}) in trace ${shortId(end.traceId)}`;
  const open = openTrace ? () => openTrace(end.traceId, end.spanId) : undefined;
  box.append(
    el('span', 'break-label', `${side}: `),
    hashLink(`trace=${end.traceId}&span=${end.spanId}`, text, open),
  );
  return box;
}

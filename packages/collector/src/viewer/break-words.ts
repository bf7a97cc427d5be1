/** What each kind of break is called on screen, and the marker that shows one break. */
import type { BreakKind, TraceBreak } from '../types.js';
import { el, hashLink } from './dom.js';
import { shortId } from './format.js';

const KIND_WORDS: Record<BreakKind, string> = {
  'not-injected': 'Trace headers not sent',
  'header-stripped': 'Trace headers stripped on the way',
  'propagator-mismatch': 'Trace headers in a format the server does not read',
  'not-extracted': 'Trace headers received but not continued',
  'cors-refused': 'Request refused by CORS: trace headers not allowed',
  'server-not-traced': 'No spans from the server',
  'context-lost': 'Context lost inside the service',
  'restarted-by-policy': 'New trace on purpose (trustIncoming policy)',
};

/** The kind in words; a kind this viewer does not know (a newer collector's) as it is. */
export function kindInWords(brk: TraceBreak): string {
  const words = Object.hasOwn(KIND_WORDS, brk.kind) ? KIND_WORDS[brk.kind] : brk.kind;
  if (brk.kind !== 'context-lost' || !brk.where) return words;
  return `${words} (${brk.where === 'browser' ? 'in the browser' : 'on the server'})`;
}

export interface BreakMarkerOptions {
  /** The other trace this break joins in, to link to. */
  otherTraceId?: string;
  /** Whether the other trace's part is drawn beside the marker; false says it is not available. */
  otherShown?: boolean;
  /** How a link opens a trace (a saved page opens it in place). */
  openTrace?: (traceId: string, spanId?: string) => void;
}

/** The words of one break: the kind, the summary, the fix and a link to the other trace. */
export function breakMarker(brk: TraceBreak, options: BreakMarkerOptions = {}): HTMLElement {
  const { otherTraceId, otherShown = true, openTrace } = options;
  const marker = el('div', `break ${brk.category === 'policy' ? 'policy' : 'fault'}`);
  marker.setAttribute('role', 'note');
  marker.setAttribute('aria-label', kindInWords(brk));
  marker.append(el('strong', 'break-kind', kindInWords(brk)));
  if (brk.summary) marker.append(el('div', 'break-summary', brk.summary));
  if (brk.fix) {
    const fix = el('div', 'break-fix');
    fix.append(el('span', 'break-label', 'Fix: '), el('span', '', brk.fix));
    marker.append(fix);
  }
  if (otherTraceId) {
    const other = el('div', 'break-other');
    const open = openTrace ? () => openTrace(otherTraceId) : undefined;
    other.append(hashLink(`trace=${otherTraceId}`, `open trace ${shortId(otherTraceId)}`, open));
    if (!otherShown)
      other.append(el('span', 'muted', ' (not in view: cleared, evicted or not in this page)'));
    marker.append(other);
  }
  return marker;
}

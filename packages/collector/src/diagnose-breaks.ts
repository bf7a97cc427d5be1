/**
 * Finds where traces that belong together broke apart, and names the cause.
 *
 * Three shapes give a break away:
 * - a request span (CLIENT) with no SERVER child: where did its request go?
 * - a SERVER root whose request matches such a request span by method, path and time (or, exactly,
 *   by the caller ids or the link the server recorded): the other half of the trace;
 * - a CLIENT or PRODUCER root that started while a span of its own service was open in another
 *   trace: an outgoing call whose context was lost.
 *
 * The cause comes from the evidence each side recorded (break-evidence.ts). Without evidence (spans
 * of other SDKs) the kind is the likeliest one timing allows.
 *
 * A trace whose spans are still arriving has no break: a request span without a server child is
 * only `server-not-traced` once `settleMs` passed since it arrived, and every other kind needs the
 * other trace's span to be there, which a healthy trace never has.
 */
import {
  clientEvidenceOf,
  type HttpRequestFacts,
  httpRequestOf,
  isBrowserSpan,
  isInteraction,
  openInteractionsOf,
  serverEvidenceOf,
} from './break-evidence.js';
import { compareDecimal } from './decimal.js';
import { type BreakFacts, CATEGORY_OF, describeBreak } from './describe-break.js';
import type { BreakEnd, BreakKind, StoredSpan, TraceBreak } from './types.js';

/**
 * How far apart two clocks may put a request and the server span that handled it. Browser and
 * server on one machine agree to the millisecond; across machines NTP keeps them within tens of
 * milliseconds, far below this.
 */
export const CLOCK_SLACK_NS = 1_000_000_000n;

export interface DiagnoseOptions {
  /** Now, in milliseconds since the epoch (the clock `arrivedAt` uses). */
  now: number;
  /** How long a request span may wait for its server's span before that server counts as not traced. */
  settleMs: number;
  /** When the collector received a span, in milliseconds since the epoch. */
  arrivedAt(span: StoredSpan): number;
}

export interface Diagnosis {
  /** Newest first. */
  breaks: TraceBreak[];
  /** When a pending verdict falls due (ms since the epoch), or undefined when none is pending. */
  recheckAt?: number;
}

interface Request {
  span: StoredSpan;
  facts: HttpRequestFacts;
}

/** Every break among `traces` (each a trace's spans). Pure: the same input gives the same answer. */
export function diagnoseBreaks(traces: Iterable<Iterable<StoredSpan>>, options: DiagnoseOptions): Diagnosis {
  const index = indexSpans(traces);
  const found = new Map<string, TraceBreak>();
  const add = (kind: BreakKind, facts: BreakFacts, where?: 'browser' | 'server') => {
    const item = makeBreak(kind, facts, where);
    found.set(item.id, item);
  };
  const claimed = new Set<StoredSpan>();
  let recheckAt: number | undefined;

  // 1. Server roots that link their caller: a restart on purpose. Exact, so first.
  for (const root of index.serverRoots) {
    for (const link of root.span.links) {
      const caller = index.lookup(link.traceId, link.spanId);
      if (caller === undefined || caller.traceId === root.span.traceId) continue;
      claimed.add(root.span).add(caller);
      add('restarted-by-policy', { ...requestFacts(caller), from: caller, to: root.span });
    }
  }

  // 2. Request spans that reached no server child.
  const rootsByCaller = new Map<string, ServerRoot>();
  for (const root of index.serverRoots) {
    if (root.callerSpanId !== undefined) rootsByCaller.set(root.callerSpanId, root);
  }
  for (const client of index.clients) {
    if (claimed.has(client.span)) continue;
    const server = rootsByCaller.get(client.span.spanId) ?? closestServerRoot(client, index, claimed);
    const evidence = clientEvidenceOf(client.span);
    const facts: BreakFacts = { ...requestFacts(client.span), from: client.span, sent: evidence.names };
    if (server !== undefined) {
      claimed.add(server.span);
      facts.to = server.span;
      const kind = propagationKind(client.span, server.span, facts);
      add(kind, facts);
      continue;
    }
    if (evidence.corsRefusalLikely === true) {
      add('cors-refused', facts);
      continue;
    }
    if (evidence.sent !== true || client.facts.status === undefined) continue;
    const due = options.arrivedAt(client.span) + options.settleMs;
    if (due <= options.now) add('server-not-traced', facts);
    else recheckAt = Math.min(recheckAt ?? due, due);
  }

  // 3. Outgoing calls that started a trace while their service was busy in another one.
  for (const root of index.outgoingRoots) {
    const browser = isBrowserSpan(root);
    const open = openInteractionsOf(root);
    if (browser && open === 0) continue; // a background request, on purpose without a parent
    const candidates = browser ? index.interactions : index.serverSpans;
    const during = latestOpenAt(candidates.get(root.serviceName) ?? [], root);
    if (during === undefined) continue;
    add(
      'context-lost',
      { ...requestFacts(root), from: during, to: root, open },
      browser ? 'browser' : 'server',
    );
  }

  const breaks = [...found.values()].sort((a, b) => compareDecimal(b.timeUnixNano, a.timeUnixNano));
  return recheckAt === undefined ? { breaks } : { breaks, recheckAt };
}

interface SpanIndex {
  /** A span by trace and span id, for the callers that links name. */
  lookup: (traceId: string, spanId: string) => StoredSpan | undefined;
  /** Request spans without a SERVER child, earliest first. */
  clients: Request[];
  /** SERVER roots that stand for an HTTP request. */
  serverRoots: ServerRoot[];
  /** SERVER roots by `METHOD path`. */
  serverRootsByRoute: Map<string, ServerRoot[]>;
  /** CLIENT and PRODUCER spans without a parent. */
  outgoingRoots: StoredSpan[];
  /** Interaction spans by service. */
  interactions: Map<string, StoredSpan[]>;
  /** SERVER spans by service. */
  serverSpans: Map<string, StoredSpan[]>;
}

interface ServerRoot extends Request {
  start: bigint;
  /** The caller span id the server recorded, when it did not continue that caller. */
  callerSpanId?: string;
}

/**
 * One pass over every span that only sorts them by shape, then the work that reads attributes
 * (URL parsing, evidence) for the few that may be part of a break: in a healthy store nearly every
 * request span has its server child, and nearly no SERVER span is a root. (Measured: this keeps a
 * diagnosis of 20 000 spans at a few milliseconds; bench/collector-ingest.)
 */
function indexSpans(traces: Iterable<Iterable<StoredSpan>>): SpanIndex {
  const byTrace = new Map<string, Map<string, StoredSpan>>();
  // Span ids are 64 random bits: one set over all traces does not confuse two traces' spans.
  const parentsOfServers = new Set<string>();
  const clientSpans: StoredSpan[] = [];
  const serverRootSpans: StoredSpan[] = [];
  const index: SpanIndex = {
    lookup: (traceId, spanId) => byTrace.get(traceId)?.get(spanId),
    clients: [],
    serverRoots: [],
    serverRootsByRoute: new Map(),
    outgoingRoots: [],
    interactions: new Map(),
    serverSpans: new Map(),
  };
  for (const spans of traces) {
    let trace: Map<string, StoredSpan> | undefined;
    for (const span of spans) {
      if (trace === undefined) {
        trace = new Map();
        byTrace.set(span.traceId, trace);
      }
      trace.set(span.spanId, span);
      const root = span.parentSpanId === undefined;
      if (span.kind === 'SERVER') {
        push(index.serverSpans, span.serviceName, span);
        if (root) serverRootSpans.push(span);
        else parentsOfServers.add(span.parentSpanId as string);
      } else if (span.kind === 'CLIENT') {
        clientSpans.push(span);
        if (root) index.outgoingRoots.push(span);
      } else if (root && span.kind === 'PRODUCER') {
        index.outgoingRoots.push(span);
      } else if (root && isInteraction(span)) {
        push(index.interactions, span.serviceName, span);
      }
    }
  }
  for (const span of clientSpans) {
    if (parentsOfServers.has(span.spanId)) continue;
    const facts = httpRequestOf(span);
    if (facts?.origin !== undefined) index.clients.push({ span, facts });
  }
  for (const span of serverRootSpans) {
    const facts = httpRequestOf(span);
    if (facts === undefined) continue;
    const root: ServerRoot = { span, facts, start: BigInt(span.startTimeUnixNano) };
    const callerSpanId = serverEvidenceOf(span)?.callerSpanId;
    if (callerSpanId !== undefined) root.callerSpanId = callerSpanId;
    index.serverRoots.push(root);
    push(index.serverRootsByRoute, `${facts.method} ${facts.path}`, root);
  }
  for (const roots of index.serverRootsByRoute.values()) {
    roots.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }
  // Earliest first, so that of two identical requests the first one gets the first server root.
  index.clients.sort((a, b) => compareDecimal(a.span.startTimeUnixNano, b.span.startTimeUnixNano));
  return index;
}

/**
 * The SERVER root nearest in time to `client` with its method and path, in another trace, not
 * yet matched, and not one the server tied to another caller.
 */
function closestServerRoot(
  client: Request,
  index: SpanIndex,
  claimed: ReadonlySet<StoredSpan>,
): ServerRoot | undefined {
  const start = BigInt(client.span.startTimeUnixNano);
  const from = start - CLOCK_SLACK_NS;
  const to = BigInt(client.span.endTimeUnixNano) + CLOCK_SLACK_NS;
  const candidates = index.serverRootsByRoute.get(`${client.facts.method} ${client.facts.path}`) ?? [];
  let best: { request: ServerRoot; distance: bigint } | undefined;
  // Sorted by start: only the roots that started inside the window are looked at.
  for (let i = firstStartingAt(candidates, from); i < candidates.length; i++) {
    const candidate = candidates[i] as ServerRoot;
    const { span, start: at, callerSpanId } = candidate;
    if (at > to) break;
    if (claimed.has(span) || span.traceId === client.span.traceId) continue;
    if (callerSpanId !== undefined && callerSpanId !== client.span.spanId) continue;
    const distance = at > start ? at - start : start - at;
    if (best === undefined || distance < best.distance) best = { request: candidate, distance };
  }
  return best?.request;
}

/** The index of the first of `roots` (sorted by start) that starts at or after `time`. */
function firstStartingAt(roots: readonly ServerRoot[], time: bigint): number {
  let low = 0;
  let high = roots.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((roots[middle] as ServerRoot).start < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Why a request that reached a traced server did not continue its trace there. */
function propagationKind(client: StoredSpan, server: StoredSpan, facts: BreakFacts): BreakKind {
  const sent = clientEvidenceOf(client);
  if (sent.sent === false) return 'not-injected';
  const received = serverEvidenceOf(server);
  if (received === undefined) return sent.sent === true ? 'not-extracted' : 'not-injected';
  facts.received = received.received;
  facts.extracts = received.extracts;
  if (received.outcome === 'restarted-by-policy') return 'restarted-by-policy';
  if (received.received.length === 0) return sent.sent === true ? 'header-stripped' : 'not-injected';
  if (received.outcome === 'restarted-invalid') return 'header-stripped';
  if (!received.received.some((header) => received.extracts.includes(header))) return 'propagator-mismatch';
  return 'not-extracted';
}

/** Of `spans` (one service's), the one open at `root`'s start in another trace that started last. */
function latestOpenAt(spans: readonly StoredSpan[], root: StoredSpan): StoredSpan | undefined {
  const at = BigInt(root.startTimeUnixNano);
  let latest: StoredSpan | undefined;
  for (const span of spans) {
    if (span.traceId === root.traceId) continue;
    const start = BigInt(span.startTimeUnixNano);
    if (start > at || BigInt(span.endTimeUnixNano) < at) continue;
    if (latest === undefined || start > BigInt(latest.startTimeUnixNano)) latest = span;
  }
  return latest;
}

function requestFacts(span: StoredSpan): Pick<BreakFacts, 'request' | 'origin'> {
  const facts = httpRequestOf(span);
  if (facts === undefined) return {};
  return facts.origin === undefined
    ? { request: `${facts.method} ${facts.path}` }
    : { request: `${facts.method} ${facts.origin}${facts.path}`, origin: facts.origin };
}

function makeBreak(kind: BreakKind, facts: BreakFacts, where?: 'browser' | 'server'): TraceBreak {
  const { summary, fix } = describeBreak(kind, facts, where);
  const item: TraceBreak = {
    id: `${kind}:${facts.from.spanId}:${facts.to?.spanId ?? ''}`,
    kind,
    category: CATEGORY_OF[kind],
    from: endOf(facts.from),
    timeUnixNano: (facts.to ?? facts.from).startTimeUnixNano,
    summary,
    fix,
  };
  if (where !== undefined) item.where = where;
  if (facts.to !== undefined) item.to = endOf(facts.to);
  return item;
}

function endOf(span: StoredSpan): BreakEnd {
  return { traceId: span.traceId, spanId: span.spanId, name: span.name, serviceName: span.serviceName };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

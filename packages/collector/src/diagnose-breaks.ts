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
  type ClientEvidence,
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
    const evidence = clientEvidenceOf(client.span);
    const facts: BreakFacts = { ...requestFacts(client.span), from: client.span, sent: evidence.names };
    facts.notSentReason = evidence.notSentReason;
    const due = options.arrivedAt(client.span) + options.settleMs;
    const settled = due <= options.now;
    // By the ids the server recorded, at once; by method, path and time only once settled: a
    // healthy request's server span may still be on its way while another caller hits the route.
    const server =
      rootsByCaller.get(client.span.spanId) ??
      (settled ? closestServerRoot(client, index, claimed) : undefined);
    if (server !== undefined) {
      claimed.add(server.span);
      facts.to = server.span;
      add(propagationKind(evidence, server.span, facts), facts);
      continue;
    }
    // The request never reached a server, so no server span will come: no need to wait.
    if (evidence.corsRefusalLikely === true) {
      add('cors-refused', facts);
      continue;
    }
    if (!settled) {
      recheckAt = Math.min(recheckAt ?? due, due);
      continue;
    }
    if (evidence.sent !== true || client.facts.status === undefined) continue;
    // A Server-Timing backlink (a link @clicktrace/web adds from the answer): the server is traced,
    // its span was only not kept (sampled out, or its export failed).
    if (client.span.links.length > 0) continue;
    add('server-not-traced', facts);
  }

  // 3. Outgoing calls that started a trace while their own page or process was busy in another.
  for (const { root, during, open } of contextLosses(index)) {
    add(
      'context-lost',
      { ...requestFacts(root), from: during, to: root, open },
      isBrowserSpan(root) ? 'browser' : 'server',
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
  /** Interaction spans by service instance (see instanceOf). */
  interactions: Map<string, StoredSpan[]>;
  /** SERVER spans by service instance. */
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
        push(index.serverSpans, instanceOf(span), span);
        if (root) serverRootSpans.push(span);
        else parentsOfServers.add(span.parentSpanId as string);
      } else if (span.kind === 'CLIENT') {
        clientSpans.push(span);
        if (root) index.outgoingRoots.push(span);
      } else if (root && span.kind === 'PRODUCER') {
        index.outgoingRoots.push(span);
      } else if (root && isInteraction(span)) {
        push(index.interactions, instanceOf(span), span);
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
  // The same port first (the server span names its own), then the nearest start: a proxy in
  // between changes the port, so another port still matches when nothing else does.
  const port = client.facts.port;
  let best: { request: ServerRoot; otherPort: boolean; distance: bigint } | undefined;
  // Sorted by start: only the roots that started inside the window are looked at.
  for (let i = firstStartingAt(candidates, from); i < candidates.length; i++) {
    const candidate = candidates[i] as ServerRoot;
    const { span, start: at, callerSpanId } = candidate;
    if (at > to) break;
    if (claimed.has(span) || span.traceId === client.span.traceId) continue;
    if (callerSpanId !== undefined && callerSpanId !== client.span.spanId) continue;
    const otherPort =
      port !== undefined && candidate.facts.port !== undefined && port !== candidate.facts.port;
    const distance = at > start ? at - start : start - at;
    if (
      best === undefined ||
      (best.otherPort && !otherPort) ||
      (best.otherPort === otherPort && distance < best.distance)
    ) {
      best = { request: candidate, otherPort, distance };
    }
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
function propagationKind(sent: ClientEvidence, server: StoredSpan, facts: BreakFacts): BreakKind {
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

/**
 * One running copy of a service: a page load (@clicktrace/web's `service.instance.id`) or a process
 * (`service.instance.id`, else host and pid). Spans of two tabs, two tests' pages or two replicas
 * never explain each other's lost context.
 */
function instanceOf(span: StoredSpan): string {
  const { resource } = span;
  const instance =
    resource['service.instance.id'] ?? `${resource['host.name'] ?? ''}/${resource['process.pid'] ?? ''}`;
  return `${span.serviceName}\u0000${String(instance)}`;
}

interface ContextLoss {
  root: StoredSpan;
  /** The span that was open in the same instance when `root` started. */
  during: StoredSpan;
  /** How many interactions the page said were open, when it said. */
  open?: number;
}

/**
 * The outgoing roots that started while their instance was busy in another trace. In the browser,
 * the interaction that started last before the root (the page's own count of open interactions
 * decides whether it counts at all: 0 is a background request); on a server, only when exactly one
 * request was open, since with several the lost call could be any of theirs, or none.
 *
 * One sweep per instance over spans and roots sorted by start: each span enters the open set once
 * and leaves it once, so a store of many busy servers costs n log n, not n x roots.
 */
function contextLosses(index: SpanIndex): ContextLoss[] {
  const rootsByInstance = new Map<string, StoredSpan[]>();
  for (const root of index.outgoingRoots) {
    if (isBrowserSpan(root) && openInteractionsOf(root) === 0) continue; // a background request
    push(rootsByInstance, instanceOf(root), root);
  }
  const losses: ContextLoss[] = [];
  for (const [instance, roots] of rootsByInstance) {
    const browser = isBrowserSpan(roots[0] as StoredSpan);
    const spans = (browser ? index.interactions : index.serverSpans).get(instance);
    if (spans === undefined) continue;
    const timed = spans
      .map((span) => ({ span, start: BigInt(span.startTimeUnixNano), end: BigInt(span.endTimeUnixNano) }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const byStart = roots
      .map((root) => ({ root, at: BigInt(root.startTimeUnixNano) }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    let next = 0;
    let open: typeof timed = [];
    for (const { root, at } of byStart) {
      while (next < timed.length && (timed[next] as (typeof timed)[number]).start <= at)
        open.push(timed[next++] as (typeof timed)[number]);
      open = open.filter((entry) => entry.end >= at);
      const others = open.filter((entry) => entry.span.traceId !== root.traceId);
      if (others.length === 0 || (!browser && others.length > 1)) continue;
      // `open` keeps start order: the last one started last.
      const during = (others[others.length - 1] as (typeof timed)[number]).span;
      const count = openInteractionsOf(root);
      losses.push(count === undefined ? { root, during } : { root, during, open: count });
    }
  }
  return losses;
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

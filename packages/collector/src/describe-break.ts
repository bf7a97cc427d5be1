/**
 * The words of each break: one sentence of what happened and the change that fixes it. Kept
 * apart from the finding (diagnose-breaks.ts) so the API, the viewer and the Playwright kit all
 * say the same thing.
 */
import { isBrowserSpan, propagatorForHeader } from './break-evidence.js';
import type { BreakCategory, BreakKind, StoredSpan } from './types.js';

/** Everything a sentence may name. */
export interface BreakFacts {
  /** The request span, or the span that was open when the context was lost. */
  from: StoredSpan;
  /** The span that started the other trace, when one arrived. */
  to?: StoredSpan;
  /** `GET http://127.0.0.1:3001/api/items`, when `from` is a request. */
  request?: string;
  /** The origin the request went to. */
  origin?: string;
  /** Trace headers the client sent. */
  sent?: string[];
  /** Why the client sent none (@clicktrace/web): `origin-not-allowed`, `no-cors`, `suppressed`, `error`. */
  notSentReason?: string;
  /** Trace headers the server received, and those it reads. */
  received?: string[];
  extracts?: string[];
  /** How many interactions or requests were open when the context was lost. */
  open?: number;
}

export const CATEGORY_OF: Readonly<Record<BreakKind, BreakCategory>> = {
  'not-injected': 'propagation',
  'header-stripped': 'propagation',
  'propagator-mismatch': 'propagation',
  'not-extracted': 'propagation',
  'cors-refused': 'propagation',
  'server-not-traced': 'propagation',
  'context-lost': 'context',
  'restarted-by-policy': 'policy',
};

export function describeBreak(
  kind: BreakKind,
  facts: BreakFacts,
  where?: 'browser' | 'server',
): { summary: string; fix: string } {
  const request = facts.request ?? `\`${facts.from.name}\``;
  const server = facts.to?.serviceName ?? facts.origin ?? 'the server';
  const headers = list(facts.sent?.length ? facts.sent : ['traceparent']);
  switch (kind) {
    case 'not-injected':
      return {
        summary: `${request} left ${facts.from.serviceName} without trace headers, so ${server} started a new trace.`,
        fix: notInjectedFix(facts, request),
      };
    case 'header-stripped':
      return {
        summary:
          facts.received && facts.received.length > 0
            ? `${request} carried ${headers}, but it reached ${server} altered past parsing, so the server started a new trace.`
            : `${request} carried ${headers}, but ${server} received none: something between them removed the headers.`,
        fix: `let ${headers} through whatever is between ${facts.from.serviceName} and ${server} (proxy, gateway, CDN)`,
      };
    case 'propagator-mismatch': {
      const arrived = facts.received ?? [];
      const wanted = [...new Set(arrived.map(propagatorForHeader).filter((name) => name !== undefined))];
      return {
        summary: `${server} received ${list(arrived)} but reads only ${list(facts.extracts ?? [])}, so it started a new trace.`,
        fix:
          wanted.length > 0
            ? `make ${server} extract ${list(wanted)} (OTEL_PROPAGATORS=${[...wanted, 'baggage'].join(',')}), or send the format it reads`
            : `make ${server} extract the trace header format its callers send`,
      };
    }
    case 'not-extracted':
      return {
        summary:
          facts.received === undefined
            ? `${request} carried ${headers}, yet ${server} started a new trace instead of continuing it (it records nothing of the headers it received).`
            : `${request} carried ${headers} and ${server} received them, yet started a new trace instead of continuing it.`,
        fix: `make ${server} continue incoming traces: start it with node --import @clicktrace/node/register, or start its server span in propagation.extract(context.active(), request.headers)`,
      };
    case 'cors-refused':
      return {
        summary: `the browser refused ${request}, most likely at its CORS preflight: ${facts.origin ?? 'the server'} did not allow this origin with ${headers} (a server that is down fails the same way).`,
        fix: `allow ${headers} in Access-Control-Allow-Headers on ${facts.origin ?? 'the server'}, for this origin (cors() from @clicktrace/node/cors does)`,
      };
    case 'server-not-traced':
      return {
        summary: `${request} carried ${headers} and was answered, but no span of ${facts.origin ?? 'its server'} arrived.`,
        fix: `trace ${facts.origin ?? 'that server'}: start it with node --import @clicktrace/node/register, exporting to this collector (OTEL_EXPORTER_OTLP_ENDPOINT)`,
      };
    case 'context-lost': {
      const lost = facts.to ? `\`${facts.to.name}\`` : 'a span';
      const open = facts.open !== undefined && facts.open > 1 ? ` (${facts.open} were open)` : '';
      return where === 'browser'
        ? {
            summary: `${lost} started a new trace in ${facts.from.serviceName} while \`${facts.from.name}\` was open${open}: the click's context was lost on the way, typically at a native await.`,
            fix: 'add the clicktrace() Vite plugin (import { clicktrace } from "@clicktrace/web/vite"), which compiles async/await so zone.js keeps the click\'s context',
          }
        : {
            summary: `${lost} started a new trace in ${facts.from.serviceName} while \`${facts.from.name}\` was open${open}: the request's AsyncLocalStorage context was lost in a callback.`,
            fix: "run the callback in the request's context: bind it where it is registered (context.bind(context.active(), callback) or AsyncResource.bind)",
          };
    }
    case 'restarted-by-policy':
      return {
        summary: `${server} started a new trace on purpose and linked ${request} (trustIncoming: 'restart').`,
        fix: "nothing to fix; to continue your own callers' traces, give trustIncoming 'ids-only' or 'always' for them",
      };
  }
}

/** What to change so the headers go out, by the reason @clicktrace/web gave for not sending them. */
function notInjectedFix(facts: BreakFacts, request: string): string {
  const reason = facts.notSentReason;
  if (reason === 'no-cors') {
    return `send ${request} without mode: 'no-cors' (the browser drops trace headers from such requests)`;
  }
  if (reason === 'suppressed' || reason === 'error') {
    return "check the page's propagator: it added no trace header (see the browser console for a clicktrace warning)";
  }
  return facts.origin !== undefined && isBrowserSpan(facts.from)
    ? `add ${facts.origin} to propagateTo`
    : `instrument the client that sends ${request} so it injects trace headers`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'nothing' : items.join(', ');
}

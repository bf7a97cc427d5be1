import type { IncomingMessage } from 'node:http';

/** The paths {@link otlpRelay}s of this process are mounted at, on globalThis so two copies of this package agree. */
const RELAY_PATHS = Symbol.for('clicktrace.node.relayPaths');
type WithRelayPaths = { [RELAY_PATHS]?: Set<string> };

/** Registers the path a relay is mounted at. */
export function addRelayPath(path: string): void {
  const holder = globalThis as WithRelayPaths;
  const paths = holder[RELAY_PATHS] ?? new Set();
  holder[RELAY_PATHS] = paths;
  paths.add(path);
}

/**
 * Whether an incoming request is addressed to an `otlpRelay` of this process: the server
 * spans (server-spans.ts) make no span for it, so relaying browser spans
 * never traces itself. A POST to a registered path (query ignored). The registry lives on
 * globalThis, so two copies of this package agree.
 */
export function isRelayRequest(request: IncomingMessage): boolean {
  const paths = (globalThis as WithRelayPaths)[RELAY_PATHS];
  if (!paths || request.method !== 'POST' || request.url === undefined) return false;
  const query = request.url.indexOf('?');
  return paths.has(query === -1 ? request.url : request.url.slice(0, query));
}

/**
 * Starts the embedded collector: the HTTP server and its store, as one handle that a
 * test or the CLI can close.
 */
import type { AddressInfo } from 'node:net';
import { createHttpServer } from './http-server.js';
import { DEFAULT_SETTLE_MS, TraceBreaks } from './trace-breaks.js';
import { TraceOwners } from './trace-owners.js';
import { TraceStore } from './trace-store.js';

export interface CollectorOptions {
  /** TCP port; 0 picks a free one (read it back from `Collector.port`). Default 4318, the OTLP/HTTP port. */
  port?: number;
  /** Interface to listen on. Default '127.0.0.1': the collector is for this machine only. */
  host?: string;
  /** Spans kept in memory before the oldest traces are evicted. Default 100 000. */
  maxSpans?: number;
  /**
   * How long a request span that carried trace headers waits for its server's span before the
   * break `server-not-traced` is reported, in milliseconds. Default 6 000.
   */
  settleMs?: number;
}

export interface Collector {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4318`; OTLP goes to `${url}/v1/traces`. */
  url: string;
  port: number;
  store: TraceStore;
  /** Where the traces the store holds broke apart, and why (also `GET /api/breaks`). */
  breaks: TraceBreaks;
  /** Stops listening and drops open connections (exporters keep theirs alive). */
  close(): Promise<void>;
}

/**
 * Listens for OTLP/HTTP traces and serves the viewer.
 *
 * Rejects with the server's error (e.g. `code: 'EADDRINUSE'`) when it cannot listen.
 *
 * @example
 * const collector = await startCollector({ port: 0 });
 * // point an exporter at `${collector.url}/v1/traces`, then:
 * collector.store.traces();
 * await collector.close();
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const { port = 4318, host = '127.0.0.1', maxSpans, settleMs = DEFAULT_SETTLE_MS } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  const store = new TraceStore({ maxSpans });
  const breaks = new TraceBreaks(store, settleMs);
  const server = createHttpServer({ store, breaks, owners: new TraceOwners() });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  // IPv6 literals need brackets in a URL.
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    store,
    breaks,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

import { EventEmitter, once } from 'node:events';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ExportedSpan, parseOtlpJson, parseOtlpProtobuf } from './recorder.js';

/** One answer the collector gives instead of taking the spans. */
export interface RefusalAnswer {
  status: number;
  /** Made when the answer goes out, so that an HTTP-date can be measured from then. */
  headers?: () => OutgoingHttpHeaders;
}

/** One export attempt, as the collector saw it. */
export interface Attempt {
  /** `performance.now()` when the connection (while down) or the request arrived. */
  at: number;
  /** What the collector did: took the spans, refused them with a status, or cut the connection. */
  outcome: 'taken' | 'cut' | number;
  /** `performance.now()` just before the answer was written (when the connection was cut, for 'cut'). */
  answeredAt: number;
  /** `Date.now()` then. */
  answeredAtWall: number;
  /** The headers of a refusal. */
  headers?: OutgoingHttpHeaders;
}

/**
 * A real OTLP/HTTP collector (JSON or protobuf) on 127.0.0.1 that a test can take down and bring back on the
 * same port, and that counts every attempt made to reach it.
 *
 * "Down" keeps the port open but destroys every connection as it arrives (and the kept-alive ones
 * when it goes down), so the exporter fails with a network error (ECONNRESET) as it would against
 * a dead collector, and each attempt can still be counted here. `refuseNext()` answers the next
 * requests with a status (503 + Retry-After) instead of taking their spans.
 */
export class FlakyCollector {
  readonly attempts: Attempt[] = [];
  readonly #spans: ExportedSpan[] = [];
  readonly #changes = new EventEmitter();
  readonly #server = createServer((request, response) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const refusal = this.#refusals.shift();
      if (refusal) {
        const headers = refusal.headers?.() ?? {};
        // Read before the answer is written: the client cannot start waiting any earlier, whatever
        // pause (a GC in this process) comes between writing it and recording it.
        const answeredAt = performance.now();
        const answeredAtWall = Date.now();
        response.writeHead(refusal.status, headers).end();
        this.#record({ at, outcome: refusal.status, answeredAt, answeredAtWall, headers });
        return;
      }
      const body = Buffer.concat(chunks);
      if (request.headers['content-type'] === 'application/x-protobuf') {
        this.#spans.push(...parseOtlpProtobuf(body));
        // An empty ExportTraceServiceResponse: a full success.
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } else {
        this.#spans.push(...parseOtlpJson(body.toString('utf8')));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      this.#record({ at, outcome: 'taken', answeredAt: performance.now(), answeredAtWall: Date.now() });
    });
  });
  readonly #sockets = new Set<Socket>();
  #down = false;
  #refusals: RefusalAnswer[] = [];
  url = '';

  /** Starts listening on a free port. */
  async start(): Promise<this> {
    this.#server.on('connection', (socket) => {
      if (this.#down) {
        socket.destroy();
        const at = performance.now();
        this.#record({ at, outcome: 'cut', answeredAt: at, answeredAtWall: Date.now() });
        return;
      }
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const { port } = this.#server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** From now on, every connection is cut, the open ones included. */
  down(): void {
    this.#down = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Takes spans again, on the same port. */
  up(): void {
    this.#down = false;
  }

  /** The next requests get these answers, one each, in order, instead of having their spans taken. */
  refuseNext(...answers: RefusalAnswer[]): void {
    this.#refusals.push(...answers);
  }

  /** Every span taken so far. */
  spans(): ExportedSpan[] {
    return [...this.#spans];
  }

  /**
   * Resolves with what `find` returns once it returns something: checked now and after every
   * attempt. No deadline of its own: the test's timeout is the limit.
   */
  until<T>(find: () => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        this.#changes.off('change', check);
        resolve(found);
      };
      this.#changes.on('change', check);
      check();
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  #record(attempt: Attempt): void {
    this.attempts.push(attempt);
    this.#changes.emit('change');
  }
}

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpProtobuf } from '@clicktrace/collector';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One span of an OTLP/JSON export, flattened with its resource for easy matching. */
export interface ExportedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}

export interface Recorder {
  url: string;
  requests: RecordedRequest[];
  /** Every span of the OTLP/JSON requests received at /v1/traces so far. */
  spans(): ExportedSpan[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that records every request and answers 200 `{}`: the OTLP
 * receiver the stock exporter posts to, and the downstream service the app under test calls.
 */
export async function startRecorder(): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      requests
        .filter((r) => r.path === '/v1/traces' && r.headers['content-type'] === 'application/json')
        .flatMap((r) => parseOtlpJson(r.body.toString('utf8'))),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpJson {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: {
      spans: {
        name: string;
        kind: number;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        attributes: OtlpKeyValue[];
        links?: { traceId: string; spanId: string }[];
      }[];
    }[];
  }[];
}

/** The spans of one OTLP/JSON request body, flattened with their resource. */
export function parseOtlpJson(body: string): ExportedSpan[] {
  const { resourceSpans } = JSON.parse(body) as OtlpJson;
  return resourceSpans.flatMap(({ resource, scopeSpans }) =>
    scopeSpans.flatMap(({ spans }) =>
      spans.map((span) => ({
        name: span.name,
        kind: span.kind,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        attributes: toRecord(span.attributes),
        links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
        resource: toRecord(resource.attributes),
      })),
    ),
  );
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** The spans of an OTLP/protobuf request body, in the shape of {@link parseOtlpJson}'s. */
export function parseOtlpProtobuf(body: Uint8Array): ExportedSpan[] {
  return decodeOtlpProtobuf(body).map((span) => ({
    name: span.name,
    kind: KINDS.indexOf(span.kind),
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId || undefined,
    attributes: span.attributes,
    links: span.links.map(({ traceId, spanId }) => ({ traceId, spanId })),
    resource: span.resource,
  }));
}

function toRecord(keyValues: OtlpKeyValue[]): Record<string, unknown> {
  // OTLP/JSON wraps each value as { stringValue } / { intValue } / …; ints come as strings or numbers.
  return Object.fromEntries(keyValues.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** Polls until `find` returns a value, or fails after the deadline. Never a fixed sleep. */
export async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

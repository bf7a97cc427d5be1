import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportedSpan, type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, registerEsm, spawnApp } from './spawn-app.js';

// A node:https server in a real child process, started the zero-code way, with a throwaway
// self-signed certificate for 127.0.0.1 that the client trusts as its only CA (TLS is verified).
const SERVER = 2;
const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;
const ORIGIN = 'http://127.0.0.1:5173';
// Longer than waitFor's 10 s, so a missing span fails with its message rather than a bare timeout.
const TEST_TIMEOUT = 15_000;

interface Reply {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** GET over https with node:https, trusting only `ca`. */
function get(url: string, ca: Buffer, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { ca, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

function serverSpan(receiver: Recorder, path: string): Promise<ExportedSpan> {
  return waitFor(
    () => receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === path),
    `the SERVER span of ${path}`,
  );
}

/** The `traceparent` named by `Server-Timing: traceparent;desc="…"`, and the draft's `trace;desc=…`. */
function backlinks(serverTiming: string | string[] | undefined): { traceparent?: string; trace?: string } {
  const value = [serverTiming ?? ''].flat().join(', ');
  return {
    traceparent: /(?:^|,)\s*traceparent;desc="([^"]+)"/.exec(value)?.[1],
    trace: /(?:^|,)\s*trace;desc=([0-9a-f-]+)/.exec(value)?.[1],
  };
}

describe('node:https', () => {
  let dir: string;
  let cert: Buffer;
  let receiver: Recorder;
  let api: App;
  let port: number;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clicktrace-https-'));
    const [keyPath, certPath] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      // biome-ignore format: grouped as the openssl command line reads.
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', keyPath, '-out', certPath,
      ],
      { stdio: 'pipe' },
    );
    cert = readFileSync(certPath);
    receiver = await startRecorder();
    api = await spawnApp(['--import', registerEsm], 'https-server.mjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      TLS_KEY: keyPath,
      TLS_CERT: certPath,
    });
    port = Number(new URL(api.url).port);
    url = `https://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'continues the incoming traceparent in an https SERVER span and sends the backlink headers',
    async () => {
      const response = await get(`${url}/api/items/7`, cert, { traceparent: TRACEPARENT, origin: ORIGIN });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ id: '7', name: 'item 7' });

      const span = await serverSpan(receiver, '/api/items/7');
      expect(span).toMatchObject({
        name: 'GET',
        traceId: CALLER_TRACE_ID,
        parentSpanId: CALLER_SPAN_ID,
        attributes: {
          'http.request.method': 'GET',
          'url.path': '/api/items/7',
          'url.scheme': 'https',
          'server.address': '127.0.0.1',
        },
      });
      expect(Number(span.attributes['server.port'])).toBe(port);
      expect(Number(span.attributes['http.response.status_code'])).toBe(200);

      const expected = `00-${CALLER_TRACE_ID}-${span.spanId}-01`;
      expect(backlinks(response.headers['server-timing'])).toEqual({
        traceparent: expected,
        trace: expected,
      });
      expect(response.headers['timing-allow-origin']).toBe(ORIGIN);
    },
    TEST_TIMEOUT,
  );

  it(
    'starts a new trace for a request without traceparent, and still sends the backlink',
    async () => {
      const response = await get(`${url}/api/items/8`, cert, {});
      expect(response.status).toBe(200);

      const span = await serverSpan(receiver, '/api/items/8');
      expect(span.parentSpanId).toBeUndefined();
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.traceId).not.toBe(CALLER_TRACE_ID);
      expect(span.attributes['url.scheme']).toBe('https');

      const expected = `00-${span.traceId}-${span.spanId}-01`;
      expect(backlinks(response.headers['server-timing'])).toEqual({
        traceparent: expected,
        trace: expected,
      });
      expect(response.headers['timing-allow-origin']).toBeUndefined();
    },
    TEST_TIMEOUT,
  );
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readmeBlockFor } from '../../../scripts/readme-block.mjs';
import { type Recorder, startRecorder } from './recorder.js';
import { packageRoot } from './spawn-app.js';

// The README's in-code quick start is examples/quick-start.mjs, verbatim, and it is run here as pasted,
// but for its endpoint, which points at this test's OTLP receiver.
const SERVER = 2;
const CLIENT = 3;
const readme = readFileSync(`${packageRoot}README.md`, 'utf8');
const example = 'examples/quick-start.mjs';
const source = readFileSync(`${packageRoot}${example}`, 'utf8');
const README_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';

/** Runs ES module source as `node` would run the file, from the package root (so `@clicktrace/node` resolves to dist/). */
async function runModule(code: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [code_] = (await once(child, 'exit')) as [number | null];
  return { code: code_, stdout, stderr };
}

let receiver: Recorder | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('README quick start (in code)', () => {
  it(`shows ${example} verbatim`, () => {
    const message = `README.md must show ${example} verbatim in a code block: copy the file into it`;
    expect(readmeBlockFor(readme, source), message).toBe(source.trim());
  });

  it(`${example} serves one request, traced: its SERVER span reaches the OTLP endpoint`, async () => {
    receiver = await startRecorder();
    expect(source, `${example} must export to ${README_ENDPOINT}, as the README says`).toContain(
      `endpoint: '${README_ENDPOINT}'`,
    );
    const run = await runModule(source.replace(README_ENDPOINT, `${receiver.url}/v1/traces`), {
      // Recorder decodes OTLP/JSON; the example leaves the protocol to its environment variable.
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('hello from /hello\n');
    // tracing.shutdown() exported before the process ended: no waiting needed.
    const spans = receiver.spans();
    const server = spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === '/hello');
    expect(server, `no SERVER span for /hello among ${JSON.stringify(spans, null, 1)}`).toMatchObject({
      name: 'GET',
      resource: { 'service.name': 'shop-api' },
      attributes: { 'http.request.method': 'GET' },
    });
    const client = spans.find((s) => s.spanId === server?.parentSpanId);
    expect(client).toMatchObject({ kind: CLIENT, traceId: server?.traceId });
    expect(String(client?.attributes['url.full'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hello$/);
  });
});

describe('README: joining an SDK the app already runs', () => {
  const sdkExample = 'examples/with-node-sdk.mjs';
  const sdkSource = readFileSync(`${packageRoot}${sdkExample}`, 'utf8');

  it(`shows ${sdkExample} verbatim`, () => {
    const message = `README.md must show ${sdkExample} verbatim in a code block: copy the file into it`;
    expect(readmeBlockFor(readme, sdkSource), message).toBe(sdkSource.trim());
  });

  it(`${sdkExample} runs as pasted: one SERVER span for the request, under its fetch, through the app's exporter`, async () => {
    receiver = await startRecorder();
    const run = await runModule(sdkSource, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('hello from /hello\n');
    const spans = receiver.spans();
    const servers = spans.filter((s) => s.kind === SERVER && s.attributes['url.path'] === '/hello');
    expect(servers, `one SERVER span for /hello among ${JSON.stringify(spans, null, 1)}`).toHaveLength(1);
    expect(servers[0]?.resource['service.name']).toBe('shop-api');
    const client = spans.find((s) => s.spanId === servers[0]?.parentSpanId);
    expect(client).toMatchObject({ kind: CLIENT, traceId: servers[0]?.traceId });
  });
});

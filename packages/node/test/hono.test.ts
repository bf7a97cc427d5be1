import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Span, serverSpan } from './exported-spans.js';
import { type Recorder, startRecorder } from './recorder.js';
import { type App, fixturePath, packageRoot, registerCjs, registerEsm, spawnApp } from './spawn-app.js';

// A Hono app with no tracing code, run in a real child process from a temporary folder whose
// node_modules/hono is the Hono under test: the current release (`hono` in the catalog) and the
// oldest one claimed (`hono-oldest`, an alias of hono@4.0.0), as an ES module app and a CommonJS
// one, zero code; and the current release with startTracing() and with withClicktrace, with
// honoRoutes() in the app as well, and with honoRoutes() alone where the hook comes too late. Requests go over loopback; spans come back over OTLP/JSON.
const STATUS_ERROR = 2;

interface Case {
  name: string;
  hono: 'hono' | 'hono-oldest';
  version: string;
  app: 'hono-routes.mjs' | 'hono-routes.cjs';
  preload: string[];
  env?: Record<string, string>;
}

const versionIn = (folder: string) =>
  (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string }).version;
const CURRENT = versionIn(`${packageRoot}node_modules/hono`);
const OLDEST = versionIn(`${packageRoot}node_modules/hono-oldest`);

const CASES: Case[] = [
  {
    name: 'ES module app, --import register',
    hono: 'hono',
    app: 'hono-routes.mjs',
    preload: ['--import', registerEsm],
  },
  {
    name: 'CommonJS app, --require register',
    hono: 'hono',
    app: 'hono-routes.cjs',
    preload: ['--require', registerCjs],
  },
  {
    name: 'ES module app, --import register',
    hono: 'hono-oldest',
    app: 'hono-routes.mjs',
    preload: ['--import', registerEsm],
  },
  {
    name: 'CommonJS app, --require register',
    hono: 'hono-oldest',
    app: 'hono-routes.cjs',
    preload: ['--require', registerCjs],
  },
  {
    name: 'ES module app, startTracing() in a file passed to --import',
    hono: 'hono',
    app: 'hono-routes.mjs',
    preload: ['--import', fixturePath('hono-start-tracing.mjs')],
  },
  {
    name: 'ES module app, NodeSDK + auto-instrumentations through withClicktrace',
    hono: 'hono',
    app: 'hono-routes.mjs',
    preload: ['--import', fixturePath('with-clicktrace-sdk.mjs')],
    env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  },
  {
    name: 'ES module app with honoRoutes() as well, --import register',
    hono: 'hono',
    app: 'hono-routes.mjs',
    preload: ['--import', registerEsm],
    env: { HONO_ROUTES: '1' },
  },
  {
    name: 'ES module app calling startTracing() after its imports, with honoRoutes() (no hook)',
    hono: 'hono',
    app: 'hono-routes.mjs',
    preload: [],
    env: { START_TRACING: '1', HONO_ROUTES: '1' },
  },
].map((it) => ({ ...it, version: it.hono === 'hono' ? CURRENT : OLDEST }) as Case);

/** A folder laid out as an app's: the fixtures, and node_modules linked to the packages under test. */
function appFolder(hono: Case['hono']): string {
  const folder = mkdtempSync(join(tmpdir(), 'clicktrace-hono-'));
  const link = (name: string, target: string) => {
    mkdirSync(join(folder, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(target, join(folder, 'node_modules', name), 'dir');
  };
  link('hono', realpathSync(`${packageRoot}node_modules/${hono}`));
  link('@hono/node-server', realpathSync(`${packageRoot}node_modules/@hono/node-server`));
  link('@clicktrace/node', realpathSync(packageRoot));
  for (const file of ['hono-routes.mjs', 'hono-routes.cjs']) cpSync(fixturePath(file), join(folder, file));
  return folder;
}

it('tests the current Hono 4 release and 4.0.0', () => {
  expect(CURRENT).toMatch(/^4\.13\./);
  expect(OLDEST).toBe('4.0.0');
});

describe.each(CASES)('Hono $version: $name', ({ hono, version, app, preload, env }) => {
  let receiver: Recorder;
  let api: App;
  let folder: string;

  beforeAll(async () => {
    receiver = await startRecorder();
    folder = appFolder(hono);
    expect(versionIn(join(folder, 'node_modules/hono'))).toBe(version);
    api = await spawnApp(preload, join(folder, app), {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      ...env,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function request(path: string, status: number): Promise<Span> {
    const response = await fetch(`${api.url}${path}`);
    expect(response.status, `${path}: ${api.stderr()}`).toBe(status);
    return serverSpan(receiver, path);
  }

  it.each([
    ['a plain route', '/health', '/health'],
    ['a param route', '/users/7', '/users/:id'],
    ['a sub-app route (app.route)', '/api/items/42', '/api/items/:id'],
    ['a route added through a basePath clone', '/v2/orders/9', '/v2/orders/:orderId'],
    ['a basePath app served on its own (no middleware)', '/reports/2026', '/reports/:year'],
  ])('names %s GET <route> and sets http.route', async (_, path, route) => {
    const span = await request(path, 200);
    expect(span.name).toBe(`GET ${route}`);
    expect(span.attributes['http.route']).toBe(route);
  });

  it('never names a span after `*` middleware: a 404 keeps the bare method', async () => {
    const span = await request('/no/such/route', 404);
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
  });

  it.each([
    ['a middleware that throws', '/mw/boom', undefined, 'EvalError', 'middleware exploded'],
    [
      "a sub-app handler whose error the sub-app's own onError answers",
      '/guarded/fail',
      '/guarded/fail',
      'SyntaxError',
      'guarded handler exploded',
    ],
  ])('records the exception of %s once', async (_, path, route, type, message) => {
    const span = await request(path, 500);
    expect(span.name).toBe(route === undefined ? 'GET' : `GET ${route}`);
    expect(span.attributes['http.route']).toBe(route);
    expect(span.attributes['error.type']).toBe(type);
    expect(span.events.filter((e) => e.name === 'exception')).toEqual([
      {
        name: 'exception',
        attributes: expect.objectContaining({ 'exception.type': type, 'exception.message': message }),
      },
    ]);
  });

  it('never names a span after an app mounted by its fetch (mount()), whose route lacks the prefix', async () => {
    const span = await request('/legacy/items/1', 200);
    expect(span.name).not.toBe('GET /items/:id');
    expect(span.attributes['http.route']).not.toBe('/items/:id');
  });

  it('never names a span after a wildcard middleware that answers itself', async () => {
    const span = await request('/private/files', 401);
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
  });

  it.each([
    ['a sub-app handler that throws', '/api/fail', '/api/fail', 'TypeError', 'sub-app handler exploded'],
    [
      'an async handler that rejects',
      '/reports/fail/async',
      '/reports/fail/async',
      'RangeError',
      'report exploded',
    ],
  ])('names %s after its route and records the exception once', async (_, path, route, type, message) => {
    const span = await request(path, 500);
    expect(span.name).toBe(`GET ${route}`);
    expect(span.attributes['http.route']).toBe(route);
    expect(span.status.code).toBe(STATUS_ERROR);
    expect(span.attributes['error.type']).toBe(type);
    expect(span.events.filter((e) => e.name === 'exception')).toEqual([
      {
        name: 'exception',
        attributes: expect.objectContaining({ 'exception.type': type, 'exception.message': message }),
      },
    ]);
  });
});

it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=hono leaves Hono unhooked: spans keep the bare method', async () => {
  const receiver = await startRecorder();
  const folder = appFolder('hono');
  const api = await spawnApp(['--import', registerEsm], join(folder, 'hono-routes.mjs'), {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg,hono',
  });
  try {
    expect((await fetch(`${api.url}/users/7`)).status).toBe(200);
    const span = await serverSpan(receiver, '/users/7');
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
  } finally {
    await api.stop();
    await receiver.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

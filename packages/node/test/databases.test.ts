import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { startMariaDB, startPostgres, startRedis } from '../../../scripts/services.mjs';
import { type ExportedSpan, type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, fixturePath, packageRoot, registerCjs, registerEsm, spawnApp } from './spawn-app.js';

// Real PostgreSQL, Redis and MariaDB servers (Debian's packages, started on loopback for this file),
// real apps in child processes set up as users set them up, and their spans read from a real OTLP
// receiver. MongoDB has no server in Debian: for it, only the patching of the driver is checked.
const SERVER = 2;
const CLIENT = 3;

interface Service {
  url: string;
  stop(): Promise<void>;
}

let postgres: Service;
let redis: Service;
let mariadb: Service;

beforeAll(async () => {
  [postgres, redis, mariadb] = await Promise.all([startPostgres(), startRedis(), startMariaDB()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop(), mariadb?.stop()]);
});

let started: { close?: () => Promise<void>; stop?: () => Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(started.map((it) => (it.stop ? it.stop() : it.close?.())));
  started = [];
});

/** The fixture under `nodeArgs`, exporting to a receiver of its own, with every database's URL. */
async function run(nodeArgs: string[], fixture: string): Promise<{ api: App; receiver: Recorder }> {
  const receiver = await startRecorder();
  started.push(receiver);
  const api = await spawnApp(nodeArgs, fixture, {
    ...otlpEnv(receiver),
    PG_URL: postgres.url,
    REDIS_URL: redis.url,
    MYSQL_URL: mariadb.url,
  });
  started.push(api);
  return { api, receiver };
}

function otlpEnv(receiver: Recorder): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: 'shop-api',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
  };
}

/** GETs `path`, then waits for its SERVER span and for `count` query spans of `system` in its trace. */
async function request(
  { api, receiver }: { api: App; receiver: Recorder },
  path: string,
  system: string,
  count: number,
): Promise<{ server: ExportedSpan; queries: ExportedSpan[] }> {
  const response = await fetch(`${api.url}${path}`);
  expect(response.status, await response.text()).toBe(200);
  const server = await waitFor(
    () => receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === path),
    `the SERVER span of ${path}`,
  );
  const queries = await waitFor(() => {
    const found = receiver
      .spans()
      .filter(
        (s) =>
          s.traceId === server.traceId &&
          s.attributes['db.system.name'] === system &&
          s.attributes['db.query.text'] !== undefined,
      );
    return found.length >= count ? found : undefined;
  }, `${count} ${system} spans in the trace of ${path}`);
  return { server, queries };
}

/** Everything the receiver got, as text: no secret may be anywhere in it. */
function exported(receiver: Recorder): string {
  return receiver.requests.map((r) => r.body.toString('utf8')).join('\n');
}

/** Whether the app's start-up queries (outside any request) made spans: they must not. */
function rootDatabaseSpans(receiver: Recorder): ExportedSpan[] {
  return receiver
    .spans()
    .filter((s) => s.parentSpanId === undefined && s.attributes['db.system.name'] !== undefined);
}

function expectChildrenOf(server: ExportedSpan, queries: ExportedSpan[]): void {
  for (const query of queries) {
    expect(query).toMatchObject({ kind: CLIENT, traceId: server.traceId, parentSpanId: server.spanId });
  }
}

const SETUPS = [
  {
    name: 'ESM app, --import @clicktrace/node/register',
    nodeArgs: ['--import', registerEsm],
    fixture: 'databases-esm.mjs',
  },
  {
    name: 'CommonJS app, --require @clicktrace/node/register',
    nodeArgs: ['--require', registerCjs],
    fixture: 'databases-cjs.cjs',
  },
  {
    name: 'ESM app, its own NodeSDK through withClicktrace',
    nodeArgs: ['--import', fixturePath('databases-sdk.mjs')],
    fixture: 'databases-esm.mjs',
  },
  {
    name: 'CommonJS app, its own NodeSDK through withClicktrace',
    nodeArgs: ['--import', fixturePath('databases-sdk.mjs')],
    fixture: 'databases-cjs.cjs',
  },
];

describe.each(SETUPS)('$name', ({ nodeArgs, fixture }) => {
  it('pg: each query a CLIENT child of the SERVER span, named by its summary, literals replaced by ?', async () => {
    const app = await run(nodeArgs, fixture);
    const { server, queries } = await request(app, '/pg', 'postgresql', 2);
    expectChildrenOf(server, queries);
    const texts = queries.map((q) => q.attributes['db.query.text']);
    // Sent without parameters: sanitized. Parameterized: kept as written, its value not recorded.
    expect(texts).toContain('SELECT ? AS email, ? AS answer');
    expect(texts).toContain('SELECT $1::text AS email');
    expect(queries.map((q) => q.name)).toEqual(['SELECT', 'SELECT']);
    expect(queries[0]?.attributes['db.query.summary']).toBe('SELECT');
    expect(exported(app.receiver)).not.toMatch(/pg-(literal|parameter)-secret/);
    expect(rootDatabaseSpans(app.receiver)).toEqual([]);
  });

  it('ioredis: each command a CLIENT child of the SERVER span, the value written not recorded', async () => {
    const app = await run(nodeArgs, fixture);
    const { server, queries } = await request(app, '/ioredis', 'redis', 2);
    expectChildrenOf(server, queries);
    expect(queries.map((q) => q.attributes['db.query.text'])).toEqual([
      'set clicktrace:ioredis ?',
      'get clicktrace:ioredis',
    ]);
    expect(exported(app.receiver)).not.toContain('ioredis-value-secret');
    expect(rootDatabaseSpans(app.receiver)).toEqual([]);
  });

  it('redis: each command a CLIENT child of the SERVER span, the value written not recorded', async () => {
    const app = await run(nodeArgs, fixture);
    const { server, queries } = await request(app, '/redis', 'redis', 2);
    expectChildrenOf(server, queries);
    expect(queries.map((q) => q.attributes['db.query.text'])).toEqual([
      'SET clicktrace:redis ?',
      'GET clicktrace:redis',
    ]);
    expect(exported(app.receiver)).not.toContain('redis-value-secret');
    expect(rootDatabaseSpans(app.receiver)).toEqual([]);
  });

  it('mysql2 (against MariaDB): each query a CLIENT child of the SERVER span, literals replaced by ?', async () => {
    const app = await run(nodeArgs, fixture);
    const { server, queries } = await request(app, '/mysql2', 'mysql', 2);
    expectChildrenOf(server, queries);
    const texts = queries.map((q) => q.attributes['db.query.text']);
    expect(texts).toContain('SELECT ? AS email, ? AS hex');
    expect(texts).toContain('SELECT ? AS email');
    expect(exported(app.receiver)).not.toMatch(/mysql-(literal|parameter)-secret|C0FFEE/i);
    expect(rootDatabaseSpans(app.receiver)).toEqual([]);
  });

  it('mongodb: the driver is patched (no MongoDB server here to send a command to)', async () => {
    const { api } = await run(nodeArgs, fixture);
    const response = await fetch(`${api.url}/mongodb`);
    expect(await response.json()).toEqual({ patched: true });
  });
});

describe('an app folder without the client libraries', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'clicktrace-databases-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  /** Runs databases-plain.mjs copied into `dir`, printing the chunks it loads to stderr. */
  async function runPlain(
    dir: string,
    env: Record<string, string> = {},
    script?: string,
  ): Promise<{ api: App; receiver: Recorder }> {
    mkdirSync(dir, { recursive: true });
    cpSync(fixturePath('databases-plain.mjs'), join(dir, 'app.mjs'));
    const receiver = await startRecorder();
    started.push(receiver);
    const api = await spawnIn(
      dir,
      [
        '--import',
        fixturePath('databases-watch-chunks.mjs'),
        '--import',
        registerEsm,
        // Given a script that is not a path, the app runs from -e and the script is its argument.
        ...(script === undefined ? [] : ['--input-type=module', '-e', "await import('./app.mjs')"]),
      ],
      {
        ...otlpEnv(receiver),
        ...env,
      },
      script,
    );
    started.push(api);
    return { api, receiver };
  }

  async function expectServerSpan(app: { api: App; receiver: Recorder }): Promise<void> {
    expect((await fetch(`${app.api.url}/plain`)).status).toBe(200);
    await waitFor(
      () => app.receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === '/plain'),
      'the SERVER span of /plain',
    );
  }

  it('started as `node -e … an-argument` (argv[1] not a path), starts tracing as ever', async () => {
    const app = await runPlain(join(folder, 'relative'), {}, 'an-argument');
    await expectServerSpan(app);
    expect(app.api.stderr()).not.toMatch(/^chunk /m);
  });

  it('loads no instrumentation chunk, and starts and traces HTTP as ever', async () => {
    const app = await runPlain(join(folder, 'none'));
    const response = await fetch(`${app.api.url}/plain`);
    expect(response.status).toBe(200);
    await waitFor(
      () => app.receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === '/plain'),
      'the SERVER span of /plain',
    );
    expect(app.api.stderr()).not.toMatch(/^chunk /m);
  });

  it('with only pg installed, loads only the pg chunk, and traces its queries', async () => {
    const dir = join(folder, 'pg-only');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(realpathSync(join(packageRoot, 'node_modules/pg')), join(dir, 'node_modules/pg'));
    const app = await runPlain(dir, { PG_URL: postgres.url });
    const { server, queries } = await request(app, '/pg', 'postgresql', 1);
    expectChildrenOf(server, queries);
    expect(app.api.stderr().match(/^chunk .*$/gm)).toEqual(['chunk pg']);
  });

  for (const env of [
    { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'amqplib,pg' },
    { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express' },
  ]) {
    it(`with ${Object.keys(env)[0]}=${Object.values(env)[0]}, leaves pg untraced and HTTP traced`, async () => {
      const dir = join(folder, `pg-off-${Object.keys(env)[0]}`);
      mkdirSync(join(dir, 'node_modules'), { recursive: true });
      symlinkSync(realpathSync(join(packageRoot, 'node_modules/pg')), join(dir, 'node_modules/pg'));
      const app = await runPlain(dir, { PG_URL: postgres.url, ...env });
      await expectServerSpan(app);
      expect(app.api.stderr()).not.toMatch(/^chunk /m);
    });
  }
});

/** spawnApp, for a script outside test/fixtures, run from its own folder. */
async function spawnIn(
  dir: string,
  nodeArgs: string[],
  env: Record<string, string>,
  script = join(dir, 'app.mjs'),
): Promise<App> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit');
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]?.trim() ?? '');
    });
    child.on('exit', (code) => reject(new Error(`app.mjs exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}

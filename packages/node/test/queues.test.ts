import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readmeBlockFor } from '../../../scripts/readme-block.mjs';
import { startRabbitMQ, startRedis } from '../../../scripts/services.mjs';
import { type ExportedSpan, type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, fixturePath, packageRoot, registerEsm, spawnApp } from './spawn-app.js';

// A message carries the trace: a request publishes, another process consumes and calls a third
// service, and the spans of all three processes make one trace. Real RabbitMQ and Redis (Debian's
// rabbitmq-server and redis-server), real processes under the built register.
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
const KIND_NAME = Object.fromEntries(Object.entries(KIND).map(([name, kind]) => [kind, name]));

let rabbit: { url: string; stop(): Promise<void> };
let redis: { url: string; port: number; stop(): Promise<void> };
let receiver: Recorder;
let downstream: App;
const apps: App[] = [];

beforeAll(async () => {
  receiver = await startRecorder();
  [rabbit, redis] = await Promise.all([startRabbitMQ(), startRedis()]);
  downstream = await spawnApp(['--import', registerEsm], 'queues-downstream.mjs', otlpEnv('downstream'));
}, 60_000);

afterAll(async () => {
  await downstream?.stop();
  await Promise.all([rabbit?.stop(), redis?.stop()]);
  await receiver?.close();
}, 60_000);

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

function otlpEnv(serviceName: string): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: serviceName,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}

async function start(nodeArgs: string[], fixture: string, env: Record<string, string>): Promise<App> {
  const app = await spawnApp(nodeArgs, fixture, env);
  apps.push(app);
  return app;
}

/** The downstream SERVER span of the call made for `id`, once exported. */
function downstreamSpan(id: string): Promise<ExportedSpan> {
  return waitFor(
    () =>
      receiver
        .spans()
        .find(
          (s) =>
            s.kind === KIND.SERVER &&
            s.resource['service.name'] === 'downstream' &&
            s.attributes['url.query'] === `id=${id}`,
        ),
    `the downstream SERVER span for ${id}`,
  );
}

/**
 * The spans from the root of `span`'s trace down to `span`, following parent ids. Waits for each
 * parent to be exported (processes export on their own schedules); a parent that never comes ends
 * the chain there, so the assertion on the kinds shows where it broke.
 */
async function chainTo(span: ExportedSpan): Promise<ExportedSpan[]> {
  const chain = [span];
  for (let current = span; current.parentSpanId; ) {
    const parentId = current.parentSpanId;
    const parent = await waitFor(
      () => receiver.spans().find((s) => s.spanId === parentId),
      `span ${parentId}`,
      3_000,
    ).catch(() => undefined);
    if (!parent) break;
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

function describeChain(chain: ExportedSpan[]): string {
  return chain.map((s) => `${KIND_NAME[s.kind]} ${s.name} (${s.resource['service.name']})`).join(' -> ');
}

function kinds(chain: ExportedSpan[]): string[] {
  return chain.map((s) => KIND_NAME[s.kind] ?? String(s.kind));
}

describe('RabbitMQ through amqplib, zero code', () => {
  const amqpEnv = (service: string, queue: string, extra: Record<string, string> = {}) => ({
    ...otlpEnv(service),
    AMQP_URL: rabbit.url,
    AMQP_QUEUE: queue,
    DOWNSTREAM_URL: downstream.url,
    ...extra,
  });

  it('continues the request in the consumer: SERVER -> PRODUCER -> CONSUMER -> CLIENT -> SERVER, one trace (manual ack)', async () => {
    await start(['--import', registerEsm], 'queues-amqp-consumer.mjs', amqpEnv('worker', 'q-ack'));
    const producer = await start(
      ['--import', registerEsm],
      'queues-amqp-producer.mjs',
      amqpEnv('shop-api', 'q-ack'),
    );

    expect((await fetch(`${producer.url}/order?id=ack-1`)).status).toBe(202);
    const chain = await chainTo(await downstreamSpan('ack-1'));

    expect(kinds(chain), describeChain(chain)).toEqual([
      'SERVER',
      'PRODUCER',
      'CONSUMER',
      'CLIENT',
      'SERVER',
    ]);
    const [request, publish, process_, call] = chain as [
      ExportedSpan,
      ExportedSpan,
      ExportedSpan,
      ExportedSpan,
    ];
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    expect(request.parentSpanId).toBeUndefined();
    expect(request.attributes['url.path']).toBe('/order');
    expect(chain.map((s) => s.resource['service.name'])).toEqual([
      'shop-api',
      'shop-api',
      'worker',
      'worker',
      'downstream',
    ]);
    expect(String(call.attributes['url.full'])).toContain('/shipped?id=ack-1');
    // What the stock instrumentation (contrib 0.71) sets: the older messaging conventions.
    expect(publish).toMatchObject({
      name: 'publish orders',
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.destination': 'orders',
        'messaging.destination_kind': 'topic',
        'messaging.rabbitmq.routing_key': 'q-ack',
        'messaging.message_id': 'ack-1',
        'messaging.protocol': 'AMQP',
        'messaging.protocol_version': '0.9.1',
        'server.address': '127.0.0.1',
      },
    });
    expect(process_).toMatchObject({
      name: 'q-ack process',
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.destination': 'orders',
        'messaging.rabbitmq.routing_key': 'q-ack',
        'messaging.operation': 'process',
      },
    });
    // useLinksForConsume is off by default: the consumer span is the publish span's child, no link.
    expect(process_.links).toEqual([]);
  });

  it('with noAck, the consumer span still parents the callback’s fetch', async () => {
    await start(
      ['--import', registerEsm],
      'queues-amqp-consumer.mjs',
      amqpEnv('worker', 'q-noack', { AMQP_ACK: 'none' }),
    );
    const producer = await start(
      ['--import', registerEsm],
      'queues-amqp-producer.mjs',
      amqpEnv('shop-api', 'q-noack'),
    );

    expect((await fetch(`${producer.url}/order?id=noack-1`)).status).toBe(202);
    const chain = await chainTo(await downstreamSpan('noack-1'));

    expect(kinds(chain), describeChain(chain)).toEqual([
      'SERVER',
      'PRODUCER',
      'CONSUMER',
      'CLIENT',
      'SERVER',
    ]);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
  });

  it('a message sent outside any request starts its own trace at the PRODUCER span, and is processed', async () => {
    await start(['--import', registerEsm], 'queues-amqp-consumer.mjs', amqpEnv('worker', 'q-startup'));
    await start(
      ['--import', registerEsm],
      'queues-amqp-producer.mjs',
      amqpEnv('shop-api', 'q-startup', { PUBLISH_AT_START: 'startup-1' }),
    );

    const chain = await chainTo(await downstreamSpan('startup-1'));

    expect(kinds(chain), describeChain(chain)).toEqual(['PRODUCER', 'CONSUMER', 'CLIENT', 'SERVER']);
    expect(chain[0]).toMatchObject({ name: 'publish <default>', parentSpanId: undefined });
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
  });

  it('withClicktrace: a NodeSDK of the app’s own continues the trace the same way', async () => {
    // The producer's SDK lists no instrumentation (clicktrace adds amqplib's); the consumer's lists
    // getNodeAutoInstrumentations(), whose own amqplib instrumentation clicktrace leaves in place.
    await start(
      ['--import', fixturePath('with-clicktrace-sdk.mjs')],
      'queues-amqp-consumer.mjs',
      amqpEnv('worker', 'q-sdk'),
    );
    const producer = await start(
      ['--import', fixturePath('queues-with-clicktrace.mjs')],
      'queues-amqp-producer.mjs',
      amqpEnv('shop-api', 'q-sdk'),
    );

    expect((await fetch(`${producer.url}/order?id=sdk-1`)).status).toBe(202);
    const chain = await chainTo(await downstreamSpan('sdk-1'));

    expect(kinds(chain), describeChain(chain)).toEqual([
      'SERVER',
      'PRODUCER',
      'CONSUMER',
      'CLIENT',
      'SERVER',
    ]);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
  });
});

describe('BullMQ on Redis, with its telemetry option', () => {
  const bullEnv = (service: string, queue: string, extra: Record<string, string> = {}) => ({
    ...otlpEnv(service),
    REDIS_PORT: String(redis.port),
    BULLMQ_QUEUE: queue,
    DOWNSTREAM_URL: downstream.url,
    ...extra,
  });

  /** The Redis command spans (ioredis) of `queue` that are roots of their own trace. */
  const rootRedisSpans = (queue: string) =>
    receiver
      .spans()
      .filter(
        (s) =>
          s.attributes['db.system.name'] === 'redis' &&
          String(s.attributes['db.query.text']).includes(`bull:${queue}:`) &&
          !s.parentSpanId,
      );

  it('docs/queues.md shows the telemetry option as the fixtures pass it', () => {
    const docs = readFileSync(`${packageRoot}docs/queues.md`, 'utf8');
    for (const [fixture, line] of [
      ['queues-bullmq-producer.mjs', "new BullMQOtel({ tracerName: 'shop-api' })"],
      ['queues-bullmq-worker.mjs', "new BullMQOtel({ tracerName: 'worker' })"],
    ] as const) {
      expect(readFileSync(fixturePath(fixture), 'utf8')).toContain(line);
      expect(docs).toContain(`telemetry: ${line}`);
    }
  });

  it('continues the request in the worker: SERVER -> PRODUCER -> CONSUMER -> CLIENT -> SERVER, one trace', async () => {
    await start(['--import', registerEsm], 'queues-bullmq-worker.mjs', bullEnv('worker', 'b-on'));
    const producer = await start(
      ['--import', registerEsm],
      'queues-bullmq-producer.mjs',
      bullEnv('shop-api', 'b-on'),
    );

    expect((await fetch(`${producer.url}/order?id=bull-on-1`)).status).toBe(202);
    const chain = await chainTo(await downstreamSpan('bull-on-1'));

    expect(kinds(chain), describeChain(chain)).toEqual([
      'SERVER',
      'PRODUCER',
      'CONSUMER',
      'CLIENT',
      'SERVER',
    ]);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    const [, add, process_] = chain as [ExportedSpan, ExportedSpan, ExportedSpan];
    // bullmq-otel's own names and attributes (bullmq.*), not the messaging conventions'.
    expect(add).toMatchObject({
      name: 'add b-on.ship',
      attributes: { 'bullmq.queue.name': 'b-on', 'bullmq.queue.operation': 'add', 'bullmq.job.name': 'ship' },
    });
    expect(process_).toMatchObject({
      name: 'process b-on',
      links: [],
      attributes: {
        'bullmq.queue.name': 'b-on',
        'bullmq.queue.operation': 'process',
        'bullmq.job.name': 'ship',
      },
    });
    // The job's Redis commands are children of add / process; the worker's polling, outside any
    // span, makes none (the ioredis instrumentation requires a parent span).
    expect(rootRedisSpans('b-on')).toEqual([]);
    // BullMQ's scripts carry the job's data as arguments: their spans keep the scripts' keys only.
    const redisTexts = receiver
      .spans()
      .filter((s) => s.attributes['db.system.name'] === 'redis')
      .map((s) => String(s.attributes['db.query.text']));
    expect(redisTexts.some((text) => text.includes('bull:b-on:'))).toBe(true);
    expect(redisTexts.filter((text) => text.includes('bull-on-1'))).toEqual([]);
  });

  it('without the telemetry option, the trace breaks at Redis: the worker starts a new trace', async () => {
    await start(
      ['--import', registerEsm],
      'queues-bullmq-worker.mjs',
      bullEnv('worker', 'b-off', { BULLMQ_TELEMETRY: 'off' }),
    );
    const producer = await start(
      ['--import', registerEsm],
      'queues-bullmq-producer.mjs',
      bullEnv('shop-api', 'b-off', { BULLMQ_TELEMETRY: 'off' }),
    );

    expect((await fetch(`${producer.url}/order?id=bull-off-1`)).status).toBe(202);
    const chain = await chainTo(await downstreamSpan('bull-off-1'));

    // The worker's fetch is a root: nothing carried the request's context through the job.
    expect(kinds(chain), describeChain(chain)).toEqual(['CLIENT', 'SERVER']);
    const request = await waitFor(
      () =>
        receiver
          .spans()
          .find(
            (s) =>
              s.kind === KIND.SERVER &&
              s.attributes['url.path'] === '/order' &&
              s.attributes['url.query'] === 'id=bull-off-1',
          ),
      'the request span',
    );
    expect(request.traceId).not.toBe(chain[0]?.traceId);
    expect(rootRedisSpans('b-off')).toEqual([]);
  });
});

describe('any other carrier: propagation.inject and propagation.extract (docs/queues.md)', () => {
  const example = 'test/fixtures/queues-carrier.mjs';
  const source = readFileSync(`${packageRoot}${example}`, 'utf8');
  const carrierEnv = (service: string, role: string, queue: string) => ({
    ...otlpEnv(service),
    ROLE: role,
    QUEUE_NAME: queue,
    REDIS_PORT: String(redis.port),
    DOWNSTREAM_URL: downstream.url,
  });

  it(`docs/queues.md shows ${example} verbatim`, () => {
    const docs = readFileSync(`${packageRoot}docs/queues.md`, 'utf8');
    const message = `docs/queues.md must show ${example} verbatim in a code block: copy the file into it`;
    expect(readmeBlockFor(docs, source), message).toBe(source.trim());
  });

  it('continues the request in the consumer: SERVER -> PRODUCER -> CONSUMER -> CLIENT -> SERVER, one trace', async () => {
    await start(['--import', registerEsm], 'queues-carrier-app.mjs', carrierEnv('worker', 'consumer', 'c-1'));
    const producer = await start(
      ['--import', registerEsm],
      'queues-carrier-app.mjs',
      carrierEnv('shop-api', 'producer', 'c-1'),
    );

    expect((await fetch(`${producer.url}/order?id=carrier-1`)).status).toBe(202);
    const chain = await chainTo(await downstreamSpan('carrier-1'));

    expect(kinds(chain), describeChain(chain)).toEqual([
      'SERVER',
      'PRODUCER',
      'CONSUMER',
      'CLIENT',
      'SERVER',
    ]);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    const [, send, process_] = chain as [ExportedSpan, ExportedSpan, ExportedSpan];
    expect(send).toMatchObject({
      name: 'send orders',
      attributes: { 'messaging.operation.type': 'send', 'messaging.destination.name': 'orders' },
    });
    expect(process_).toMatchObject({
      name: 'process orders',
      attributes: { 'messaging.operation.type': 'process', 'messaging.destination.name': 'orders' },
    });
  });
});

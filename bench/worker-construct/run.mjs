// What wrapping the worker_threads Worker constructor costs per construction: the real Worker class
// and clicktrace's wrapped one, constructed alternately in one process under
// `--import @clicktrace/node/register`, outside any span and inside one. Only the synchronous
// `new Worker(...)` is timed (the thread starts after it returns); the Workers are `eval` ones with
// an empty script, which do not run the --import preload.
//   node bench/worker-construct/run.mjs [constructions per case, default 400]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

if (process.env.CLICKTRACE_BENCH_CHILD !== '1') {
  const register = createRequire(import.meta.url).resolve('@clicktrace/node/register');
  const { status } = spawnSync(
    process.execPath,
    ['--import', register, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, CLICKTRACE_BENCH_CHILD: '1', OTEL_TRACES_EXPORTER: 'none' },
    },
  );
  process.exit(status ?? 1);
}

const { context, trace } = await import('@opentelemetry/api');
const threads = await import('node:worker_threads');
const installed = globalThis[Symbol.for('clicktrace.node.workerThreads')];
if (installed === undefined) throw new Error('clicktrace did not wrap worker_threads.Worker');
const { original, wrapped } = installed;
if (threads.Worker !== wrapped) throw new Error('the ESM export is not the wrapped Worker');

const N = Number(process.argv[2] ?? 400);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function measure(label, inContext) {
  const times = { original: [], wrapped: [] };
  const workers = [];
  for (let i = 0; i < N + 40; i++) {
    for (const [name, Worker] of i % 2
      ? [
          ['original', original],
          ['wrapped', wrapped],
        ]
      : [
          ['wrapped', wrapped],
          ['original', original],
        ]) {
      const start = process.hrtime.bigint();
      const worker = inContext(() => new Worker('', { eval: true }));
      const micros = Number(process.hrtime.bigint() - start) / 1000;
      if (i >= 40) times[name].push(micros); // the first 40 warm up
      workers.push(worker);
    }
    if (workers.length >= 40) await Promise.all(workers.splice(0).map((w) => w.terminate()));
  }
  await Promise.all(workers.map((w) => w.terminate()));
  const o = median(times.original);
  const w = median(times.wrapped);
  process.stdout.write(
    `${label.padEnd(24)} median µs: real ${o.toFixed(1)}, wrapped ${w.toFixed(1)}, difference ${(w - o).toFixed(1)}\n`,
  );
}

const span = trace.getTracer('bench').startSpan('request');
process.stdout.write(`Node ${process.version}, ${N} constructions per class and case\n`);
await measure('outside any span', (fn) => fn());
await measure('inside a span', (fn) => context.with(trace.setSpan(context.active(), span), fn));
span.end();

// µs per W3CTraceContextPropagator.extract() call, on @clicktrace/node's source (Node 24 strips the
// types; on Node 22 add --experimental-strip-types). A realistic traceparent with a 3-member
// tracestate, and with a 32-member one (460 characters, under the 512 limit, so nothing is
// truncated). Keys valid under both the Level 1 and the Level 2 grammar, so any two versions of
// the propagator do the same work on them.
//
//   node bench/w3c-extract/run.mjs            # 9 rounds of 200,000 extracts per case; medians
//   PROPAGATOR=packages/node/src/old.ts node bench/w3c-extract/run.mjs   # another version of the file
import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';

const source = process.env.PROPAGATOR
  ? new URL(process.env.PROPAGATOR, `file://${process.cwd()}/`)
  : new URL('../../packages/node/src/w3c-trace-context-propagator.ts', import.meta.url);
const { W3CTraceContextPropagator } = await import(source.href);

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const CALLS = Number(process.env.CALLS ?? 200_000);

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const three = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,dd=s:1;o:rum;t.dm:-0';
const thirtyTwo = Array.from({ length: 32 }, (_, i) => {
  const key = i % 4 === 0 ? `t${i}@vendor` : `vendor${String(i).padStart(2, '0')}`;
  return `${key}=${(0x10000 + i * 7919).toString(36)}`;
}).join(',');

const cases = {
  '3 members': { traceparent, tracestate: three },
  '32 members': { traceparent, tracestate: thirtyTwo },
};

const propagator = new W3CTraceContextPropagator();
for (const [name, headers] of Object.entries(cases)) {
  const state = trace.getSpanContext(
    propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter),
  )?.traceState;
  const members = state?.serialize().split(',').length;
  if (members !== headers.tracestate.split(',').length) throw new Error(`${name}: kept ${members} members`);
}

let sink = 0;
function round(headers) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const context = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    if (trace.getSpanContext(context)?.traceState) sink++;
  }
  return Number(process.hrtime.bigint() - start) / 1_000 / CALLS;
}

const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const headers of Object.values(cases)) round(headers); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, headers] of Object.entries(cases)) results[name].push(round(headers));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const lines = [
  `${source.pathname}, node ${process.version}, ${ROUNDS} rounds x ${CALLS} extracts (sink ${sink})`,
  `32-member tracestate: ${thirtyTwo.length} characters`,
  ...Object.entries(results).map(
    ([name, values]) =>
      `${name}: median ${median(values).toFixed(3)} µs/extract (rounds ${values.map((v) => v.toFixed(3)).join(' ')})`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);

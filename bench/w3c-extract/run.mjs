// CPU µs per W3CTraceContextPropagator.extract() call, on @clicktrace/node's source (Node 24 strips the
// types; on Node 22 add --experimental-strip-types). A realistic traceparent with a 3-member
// tracestate, and with a 32-member one (460 characters, under the 512 limit, so nothing is
// truncated). Keys valid under both the Level 1 and the Level 2 grammar, so any two versions of
// the propagator do the same work on them.
//
//   node bench/w3c-extract/run.mjs            # 9 rounds of 200,000 extracts per case; medians
//   git show <rev>:packages/node/src/w3c-trace-context-propagator.ts > packages/node/before.ts
//   PROPAGATOR=packages/node/before.ts,packages/node/src/w3c-trace-context-propagator.ts \
//     node bench/w3c-extract/run.mjs          # two versions, interleaved round by round
// (A copy must sit under packages/node/ so that it resolves @opentelemetry/api from there.)
import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const CALLS = Number(process.env.CALLS ?? 200_000);

const sources = (process.env.PROPAGATOR ?? '')
  .split(',')
  .filter(Boolean)
  .map((path) => new URL(path, `file://${process.cwd()}/`));
if (sources.length === 0) {
  sources.push(new URL('../../packages/node/src/w3c-trace-context-propagator.ts', import.meta.url));
}
const propagators = [];
for (const source of sources) {
  const { W3CTraceContextPropagator } = await import(source.href);
  propagators.push({ name: source.pathname, propagator: new W3CTraceContextPropagator() });
}

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

for (const { name: source, propagator } of propagators) {
  for (const [name, headers] of Object.entries(cases)) {
    const context = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const sent = trace.getSpanContext(context)?.traceState?.serialize();
    if (sent !== headers.tracestate) throw new Error(`${source}, ${name}: sends ${sent}`);
  }
}

let sink = 0;
/** CPU time (user + system) per call, in µs: on a shared machine, time on other tenants' work is not ours. */
function round(propagator, headers) {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const context = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    if (trace.getSpanContext(context)?.traceState) sink++;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const results = propagators.map(() => Object.fromEntries(Object.keys(cases).map((name) => [name, []])));
for (const { propagator } of propagators) {
  for (const headers of Object.values(cases)) round(propagator, headers); // warm-up
}
for (let r = 0; r < ROUNDS; r++) {
  propagators.forEach(({ propagator }, p) => {
    for (const [name, headers] of Object.entries(cases)) results[p][name].push(round(propagator, headers));
  });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const lines = [
  `node ${process.version}, ${ROUNDS} rounds x ${CALLS} extracts (sink ${sink})`,
  `32-member tracestate: ${thirtyTwo.length} characters`,
];
propagators.forEach(({ name }, p) => {
  lines.push(name);
  for (const [caseName, values] of Object.entries(results[p])) {
    const rounds = values.map((v) => v.toFixed(3)).join(' ');
    lines.push(`  ${caseName}: median ${median(values).toFixed(3)} µs/extract (rounds ${rounds})`);
  }
});
process.stdout.write(`${lines.join('\n')}\n`);

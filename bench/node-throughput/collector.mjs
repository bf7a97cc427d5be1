// The embedded collector in its own process, so its decoding does not slow the load generator.
// Counts the SERVER spans received per service.name and reports them when asked over IPC.
import { startCollector } from '@clicktrace/collector';

const collector = await startCollector({ port: 0, maxSpans: 10_000 });
const servers = new Map();
collector.store.onSpans((spans) => {
  for (const span of spans) {
    if (span.kind !== 'SERVER') continue;
    servers.set(span.serviceName, (servers.get(span.serviceName) ?? 0) + 1);
  }
  collector.store.clear(); // only the counts matter here
});
process.on('message', (message) => {
  if (message === 'counts') process.send?.(Object.fromEntries(servers));
});
process.send?.({ url: collector.url });

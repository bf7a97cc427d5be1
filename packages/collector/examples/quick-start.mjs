import { startCollector } from '@clicktrace/collector';

const collector = await startCollector({ port: 0 }); // 0 = any free port
console.log(`send OTLP/HTTP to ${collector.url}/v1/traces, see traces at ${collector.url}/`);

// Your app's OpenTelemetry exporter would post here; this is one span of such an export (OTLP/JSON).
await fetch(`${collector.url}/v1/traces`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-api' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                spanId: '00f067aa0ba902b7',
                name: 'GET /api/items',
                kind: 2, // SERVER
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000012000000',
              },
            ],
          },
        ],
      },
    ],
  }),
});

for (const trace of collector.store.traces()) {
  console.log(`trace ${trace.traceId}: ${trace.spanCount} span(s), ${trace.durationMs} ms`);
  for (const span of collector.store.trace(trace.traceId) ?? []) {
    console.log(`  ${span.kind} ${span.name} (${span.serviceName})`);
  }
}

await collector.close();

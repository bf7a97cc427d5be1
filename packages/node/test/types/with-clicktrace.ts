// Compiled by `pnpm typecheck` against the built declarations (dist/), as a user's TypeScript
// project sees them: withClicktrace's result must fit NodeSDK's constructor with every kind of
// configuration a team passes, and clicktrace's own options must be checked, typos included.
import { withClicktrace } from '@clicktrace/node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler } from '@opentelemetry/sdk-trace';

new NodeSDK(
  withClicktrace({ serviceName: 'shop-api', instrumentations: [getNodeAutoInstrumentations()] }),
).start();

new NodeSDK(
  withClicktrace(
    {
      serviceName: 'shop-api',
      sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
      instrumentations: [
        new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === '/health' }),
      ],
      textMapPropagator: null,
    },
    {
      trustIncoming: (request) =>
        request.headers.origin === 'https://shop.example.com' ? 'always' : 'ids-only',
      serverTiming: false,
    },
  ),
).start();

// @ts-expect-error: a misspelt option of clicktrace's is an error, not a key silently ignored
withClicktrace({ serviceName: 'shop-api' }, { trustIncomming: 'restart' });
// @ts-expect-error: not a trust mode
withClicktrace({ serviceName: 'shop-api' }, { trustIncoming: 'sometimes' });

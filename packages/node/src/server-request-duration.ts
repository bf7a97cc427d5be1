import { type Attributes, createNoopMeter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { VERSION } from './version.js';

/** The stable HTTP metric the stock http instrumentation records for servers. */
const NAME = 'http.server.request.duration';
/** The semantic conventions' advice for this histogram, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The `http.server.request.duration` histogram of a meter provider, or undefined when the provider
 * is the API's no-op one (no metrics SDK registered): then no request computes its attributes.
 * With `withClicktrace` this is the metric the user's http instrumentation recorded before its
 * incoming half was turned off.
 */
export function serverRequestDuration(meterProvider: MeterProvider): Histogram | undefined {
  const histogram = meterProvider.getMeter('@clicktrace/node', VERSION).createHistogram(NAME, {
    description: 'Duration of HTTP server requests.',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  return histogram === NOOP_HISTOGRAM ? undefined : histogram;
}

/** The API's no-op meters all hand out this one histogram. */
const NOOP_HISTOGRAM = createNoopMeter().createHistogram(NAME);

/** What a request's duration is recorded with: the metric's attributes, as the conventions list them. */
export interface DurationRecord {
  readonly histogram: Histogram;
  readonly startedAt: number;
  readonly attributes: Attributes;
}

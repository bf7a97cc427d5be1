/**
 * The `worker_threads` environment-data key under which a Worker receives the trace context that
 * was active where it was constructed (a W3C carrier: `traceparent`, `tracestate`, `baggage`).
 * Environment data is cloned into each new Worker at construction; a Worker that does not run
 * clicktrace never reads this key.
 */
export const CARRIER_KEY = '@clicktrace/node:trace-context';

/** The carrier a propagator injects into and extracts from: header names to values. */
export type Carrier = Record<string, string>;

/**
 * The TracerProviders startTracing() built. Their sampler (trust-incoming.ts) and span processors
 * (create-otlp-span-processor.ts, the console one of OTEL_TRACES_EXPORTER) are this package's own or
 * the SDK's and read no span's start attributes, and
 * the app cannot add others (SDK 3 providers take their processors only when built), so the
 * server spans of such a provider may get their attributes after they start (server-spans.ts).
 * A user's provider (withClicktrace) may have a sampler or processor that reads them.
 */
const OWN = new WeakSet<object>();

export function markOwnTracerProvider(provider: object): void {
  OWN.add(provider);
}

export function isOwnTracerProvider(provider: object | undefined): boolean {
  return provider !== undefined && OWN.has(provider);
}

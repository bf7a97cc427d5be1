import { type Recorder, waitFor } from './recorder.js';

// The spans an app exported to a Recorder over OTLP/JSON, with status and events (which the
// recorder's own spans() leaves out), and the SERVER span of one request path.
const SERVER = 2;

export interface Span {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  status: { code?: number };
  events: { name: string; attributes: Record<string, unknown> }[];
}

type KeyValues = { key: string; value: Record<string, unknown> }[];
const record = (keyValues: KeyValues = []) =>
  Object.fromEntries(keyValues.map(({ key, value }) => [key, Object.values(value)[0]]));

/** Every span exported to the receiver so far, with status and events (the recorder leaves them out). */
export function spans(receiver: Recorder): Span[] {
  return receiver.requests
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => {
      const { resourceSpans } = JSON.parse(r.body.toString('utf8')) as {
        resourceSpans: {
          scopeSpans: {
            spans: (Omit<Span, 'attributes' | 'events'> & {
              attributes: KeyValues;
              events?: { name: string; attributes: KeyValues }[];
            })[];
          }[];
        }[];
      };
      return resourceSpans.flatMap(({ scopeSpans }) =>
        scopeSpans.flatMap(({ spans }) =>
          spans.map((span) => ({
            ...span,
            parentSpanId: span.parentSpanId || undefined,
            attributes: record(span.attributes),
            status: span.status ?? {},
            events: (span.events ?? []).map((e) => ({ name: e.name, attributes: record(e.attributes) })),
          })),
        ),
      );
    });
}

export function serverSpan(receiver: Recorder, path: string): Promise<Span> {
  return waitFor(
    () => spans(receiver).find((s) => s.kind === SERVER && s.attributes['url.path'] === path),
    `the SERVER span of ${path}`,
  );
}

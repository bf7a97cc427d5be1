import { type StoredSpan, toOtlpJson } from '@clicktrace/collector';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

/** A span as the collector stores it, with only what a test cares about given. */
export function span(fields: Partial<StoredSpan> & { spanId: string; name: string }): StoredSpan {
  return {
    traceId: TRACE_ID,
    kind: 'INTERNAL',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000100000000',
    serviceName: 'shop-web',
    resource: {},
    scope: { name: 'test' },
    attributes: {},
    status: { code: 'UNSET' },
    events: [],
    links: [],
    ...fields,
  };
}

/** click → fetch (CLIENT) → POST /api/checkout (SERVER), the way the demo's checkout looks. */
export function checkoutSpans(): StoredSpan[] {
  return [
    span({ spanId: 'aaaaaaaaaaaaaaa1', name: 'click button "Checkout"' }),
    span({
      spanId: 'aaaaaaaaaaaaaaa2',
      parentSpanId: 'aaaaaaaaaaaaaaa1',
      name: 'HTTP POST',
      kind: 'CLIENT',
      startTimeUnixNano: '1700000000000000001',
      attributes: { 'http.method': 'POST', 'http.url': 'http://127.0.0.1:3001/api/checkout' },
    }),
    span({
      spanId: 'aaaaaaaaaaaaaaa3',
      parentSpanId: 'aaaaaaaaaaaaaaa2',
      name: 'POST',
      kind: 'SERVER',
      serviceName: 'shop-api',
      startTimeUnixNano: '1700000000000000002',
      attributes: { 'http.request.method': 'POST', 'url.path': '/api/checkout' },
    }),
  ];
}

/** The OTLP/JSON body an exporter would post for these spans (what a page's SDK sends). */
export function exportBody(spans: readonly StoredSpan[]): string {
  return JSON.stringify(toOtlpJson(spans));
}

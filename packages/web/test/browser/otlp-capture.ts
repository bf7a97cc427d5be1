import { expect, type Page } from '@playwright/test';

/** A span as the stock OTLP/HTTP JSON exporter sends it, with attributes flattened. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  /** Epoch milliseconds (from startTimeUnixNano / endTimeUnixNano). */
  startTime: number;
  endTime: number;
}

/** OTLP span kinds (the JSON encoding uses the enum numbers). */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano?: string | number;
        endTimeUnixNano?: string | number;
        attributes?: OtlpKeyValue[];
      }>;
    }>;
  }>;
}

/**
 * Answers the page's OTLP export requests (to `/v1/traces` on any origin) and decodes their bodies.
 * `exports` counts the requests, so a test can tell "nothing exported" from "not flushed yet";
 * `headers` holds each request's headers.
 */
export async function captureOtlp(
  page: Page,
): Promise<{ spans: ExportedSpan[]; exports: () => number; headers: Array<Record<string, string>> }> {
  const spans: ExportedSpan[] = [];
  const headers: Array<Record<string, string>> = [];
  let exports = 0;
  await page.route('**/v1/traces', async (route) => {
    exports++;
    headers.push(await route.request().allHeaders());
    spans.push(...decodeOtlpJson(route.request().postDataJSON()));
    await route.fulfill({ status: 200, contentType: 'application/json', body: '{}' });
  });
  return { spans, exports: () => exports, headers };
}

/** The spans of an OTLP/JSON export request body (already parsed), attributes flattened. */
export function decodeOtlpJson(body: unknown): ExportedSpan[] {
  const spans: ExportedSpan[] = [];
  for (const resourceSpans of (body as OtlpExport).resourceSpans ?? []) {
    const resource = flatten(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          kind: span.kind,
          attributes: flatten(span.attributes),
          resource,
          startTime: nanosToMillis(span.startTimeUnixNano),
          endTime: nanosToMillis(span.endTimeUnixNano),
        });
      }
    }
  }
  return spans;
}

function flatten(attributes: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) flat[key] = Object.values(value)[0];
  return flat;
}

function nanosToMillis(nanos: string | number | undefined): number {
  if (nanos === undefined) return Number.NaN;
  return Number(BigInt(nanos) / 1000n) / 1000;
}

/**
 * Whether the request a server received with `traceparent` arrived as one complete click chain:
 * its CLIENT span, whose parent is a root interaction span (`click …` or `submit …`), one trace.
 */
export function isClickChain(spans: ExportedSpan[], traceparent: string | undefined): boolean {
  const [, traceId, parentId] = traceparent?.split('-') ?? [];
  const request = spans.find((span) => span.spanId === parentId);
  const click = request?.parentSpanId
    ? spans.find((span) => span.spanId === request.parentSpanId)
    : undefined;
  return (
    request?.kind === SPAN_KIND.CLIENT &&
    request.traceId === traceId &&
    click?.traceId === traceId &&
    click.parentSpanId === undefined &&
    /^(click|submit) /.test(click.name)
  );
}

/** The `traceparent` a request sends when `span` is its CLIENT span (sampled). */
export function traceparentOf(span: ExportedSpan): string {
  return `00-${span.traceId}-${span.spanId}-01`;
}

/**
 * Flushes and looks again until a span matches, with no limit of its own (the test's timeout is
 * the limit): the tracing exports when it flushes, and the collector decodes as requests arrive.
 */
export async function pollForSpan(
  spans: () => readonly ExportedSpan[],
  flush: () => Promise<unknown>,
  predicate: (span: ExportedSpan) => boolean,
): Promise<ExportedSpan> {
  await expect
    .poll(
      async () => {
        await flush();
        return spans().some(predicate);
      },
      { timeout: 0, intervals: [100, 200, 400] },
    )
    .toBe(true);
  return spans().find(predicate) as ExportedSpan;
}

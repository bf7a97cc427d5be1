import { describe, expect, it } from 'vitest';
import { renderTraceHtml, type StoredSpan } from '../src/index.js';
import type { TraceBreak } from '../src/types.js';
import { VIEWER_CSS, VIEWER_PAGE, VIEWER_SCRIPT } from '../src/viewer-page.js';
import { storedSpan as span, XSS_NAME } from './sample-trace.js';

/** The JSON the page embeds, parsed as the page's script parses it. */
function embedded(html: string): {
  traces: { traceId: string; breakCount?: number }[];
  spans: Record<string, StoredSpan[]>;
  breaks: TraceBreak[];
} {
  const text = /<script type="application\/json" id="clicktrace-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  expect(text).toBeDefined();
  return JSON.parse(text ?? '');
}

// What the page looks like in a browser is checked in Chromium (viewer-in-chromium.test.ts).
describe('renderTraceHtml', () => {
  it("draws with the viewer's own stylesheet and script, not a copy", () => {
    const html = renderTraceHtml([span()]);
    expect(html).toContain(VIEWER_CSS);
    expect(html).toContain(VIEWER_SCRIPT);
    expect(VIEWER_PAGE).toContain(VIEWER_CSS);
    expect(VIEWER_PAGE).toContain(VIEWER_SCRIPT);
  });

  it('embeds the spans as JSON: each trace with its spans, as GET /api/traces/:id answers', () => {
    const a = span({ spanId: '0000000000000001', name: 'root' });
    const b = span({ spanId: '0000000000000002', parentSpanId: a.spanId, name: 'child' });
    const other = span({
      traceId: 'ffffffffffffffffffffffffffffffff',
      name: 'later',
      startTimeUnixNano: '1700000000005000000',
      endTimeUnixNano: '1700000000006000000',
    });
    const data = embedded(renderTraceHtml([a, b, other, a]));
    // Newest first, as the viewer lists them; the span sent twice is there once.
    expect(data.traces.map((t) => t.traceId)).toEqual([other.traceId, a.traceId]);
    expect(data.spans).toEqual({ [a.traceId]: [a, b], [other.traceId]: [other] });
    expect(data.breaks).toEqual([]);
  });

  it('embeds the breaks newest first, as GET /api/breaks answers, and counts them per trace as GET /api/traces does', () => {
    const a = span({ spanId: '0000000000000001', name: 'POST' });
    const b = span({ traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000002', name: 'POST' });
    const end = (s: StoredSpan) => ({
      traceId: s.traceId,
      spanId: s.spanId,
      name: s.name,
      serviceName: s.serviceName,
    });
    const older: TraceBreak = {
      id: 'one',
      kind: 'not-injected',
      category: 'propagation',
      from: end(a),
      to: end(b),
      timeUnixNano: '1700000000000000000',
      summary: 'no headers',
      fix: 'add the origin to propagateTo',
    };
    const newer: TraceBreak = {
      ...older,
      id: 'two',
      kind: 'server-not-traced',
      timeUnixNano: '1700000000000000001',
    };
    delete newer.to;
    const data = embedded(renderTraceHtml([a, b], { breaks: [older, newer] }));
    expect(data.breaks).toEqual([newer, older]);
    expect(Object.fromEntries(data.traces.map((t) => [t.traceId, t.breakCount]))).toEqual({
      [a.traceId]: 2,
      [b.traceId]: 1,
    });
    // No breaks, no count: as the API answers for a trace without any.
    expect(embedded(renderTraceHtml([a])).traces[0]).not.toHaveProperty('breakCount');
  });

  it('escapes every < in the embedded JSON, so a span name cannot close the script element', () => {
    const html = renderTraceHtml([
      span({ name: XSS_NAME, attributes: { comment: '<!-- <script>', img: '<img src=x onerror=alert(2)>' } }),
    ]);
    // Exactly the page's own two scripts: the data and the drawing code.
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html).not.toContain('<!--');
    expect(html).not.toContain('<img');
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>');
    const [stored] = Object.values(embedded(html).spans)[0] ?? [];
    expect(stored?.name).toBe(XSS_NAME);
    expect(stored?.attributes).toEqual({ comment: '<!-- <script>', img: '<img src=x onerror=alert(2)>' });
  });

  it('shows the title as text', () => {
    const html = renderTraceHtml([span()], { title: '</title><script>alert(1)</script> & "more"' });
    expect(html).toContain(
      '<title>&#60;/title&#62;&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;more&#34;</title>',
    );
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(renderTraceHtml([span()])).toContain('<title>clicktrace trace</title>');
  });

  it('renders a page for no spans', () => {
    const html = renderTraceHtml([]);
    expect(embedded(html)).toEqual({ traces: [], spans: {}, breaks: [] });
  });
});

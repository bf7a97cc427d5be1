import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { type Browser, expect as pwExpect } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTraceHtml, type StoredSpan, startCollector } from '../src/index.js';
import type { TraceBreak } from '../src/types.js';
import {
  type DrawnLine,
  drawnLines,
  launchChromium,
  sendBrokenCheckout,
  sendSpans,
  start,
  stored,
  watchedPage,
} from './viewer-fixtures.js';

// Breaks drawn by the viewer, on the page renderTraceHtml makes: real spans from the SDK, and
// the breaks a diagnosis would find in them written out here.
let browser: Browser;
let spans: StoredSpan[];
let stripped: TraceBreak;
let refused: TraceBreak;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clicktrace-breaks-'));
  const collector = await startCollector({ port: 0 });
  try {
    await sendBrokenCheckout(collector);
    // Later: a click whose request the browser refused (no span on the other side).
    await sendSpans(collector, ['shop-web'], ({ 'shop-web': web }) => {
      if (!web) return;
      const click = start(web, 'click Pay');
      const post = start(web, 'POST', {
        kind: SpanKind.CLIENT,
        parent: click,
        attributes: { 'url.full': 'http://127.0.0.1:3002/pay' },
        error: 'Failed to fetch',
      });
      post.end();
      click.end();
    });
    spans = collector.store.spans();
    const post = stored(collector, 'shop-web', 'POST');
    const server = stored(collector, 'shop-api', 'POST');
    const pay = collector.store
      .spans()
      .filter((span) => span.name === 'POST' && span.serviceName === 'shop-web')[1];
    if (!pay) throw new Error('the Pay request span is missing');
    stripped = {
      id: `header-stripped:${post.spanId}:${server.spanId}`,
      kind: 'header-stripped',
      category: 'propagation',
      from: { traceId: post.traceId, spanId: post.spanId, name: 'POST', serviceName: 'shop-web' },
      to: { traceId: server.traceId, spanId: server.spanId, name: 'POST', serviceName: 'shop-api' },
      timeUnixNano: server.startTimeUnixNano,
      summary: 'shop-web sent traceparent to http://127.0.0.1:3001 and shop-api received none.',
      fix: 'let the proxy in front of http://127.0.0.1:3001 pass the traceparent header',
    };
    refused = {
      id: `cors-refused:${pay.spanId}`,
      kind: 'cors-refused',
      category: 'propagation',
      from: { traceId: pay.traceId, spanId: pay.spanId, name: 'POST', serviceName: 'shop-web' },
      timeUnixNano: pay.startTimeUnixNano,
      summary:
        'The browser refused the request to http://127.0.0.1:3002: its preflight did not allow traceparent.',
      fix: 'allow the traceparent header in the CORS answer of http://127.0.0.1:3002',
    };
  } finally {
    await collector.close();
  }
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The checkout as one waterfall, whichever of its two traces is opened: the other one joined in, dashed. */
const JOINED_CHECKOUT: DrawnLine[] = [
  { span: 'click Checkout', kind: 'internal', depth: 0 },
  { span: 'POST /api/checkout', kind: 'client', depth: 1 },
  { break: 'Trace headers stripped on the way', depth: 2 },
  { span: 'POST /api/checkout', kind: 'server', depth: 3 },
  { span: 'SELECT shop.orders', kind: 'client', depth: 4 },
];

function joined(lines: DrawnLine[], which: 'web' | 'api'): DrawnLine[] {
  return lines.map((line, i) => {
    if ('break' in line) return line;
    const other = which === 'web' ? i > 2 : i < 2;
    return other ? { ...line, joined: true as const } : line;
  });
}

function fileUrl(file: string, html: string): string {
  writeFileSync(join(dir, file), html);
  return pathToFileURL(join(dir, file)).href;
}

describe('breaks in the viewer (renderTraceHtml)', { timeout: 20_000 }, () => {
  it('draws a marker below the request span, with the kind, summary and fix, and the server trace joined in under it', async () => {
    const { page: tab, dialogs, errors, requests } = await watchedPage(browser);
    const url = fileUrl('stripped.html', renderTraceHtml(spans, { breaks: [stripped] }));
    await tab.goto(`${url}#trace=${stripped.from.traceId}`);
    expect(await drawnLines(tab)).toEqual(joined(JOINED_CHECKOUT, 'web'));

    const marker = tab.getByRole('note', { name: 'Trace headers stripped on the way' });
    await pwExpect(marker).toContainText(stripped.summary);
    await pwExpect(marker).toContainText(`Fix: ${stripped.fix}`);
    // The joined spans are the other trace's: their details say so, and its link opens it.
    await tab.locator('#waterfall .row.joined', { hasText: 'SELECT shop.orders' }).click();
    await pwExpect(tab.locator('#panel')).toContainText(
      `${stripped.to?.traceId} (another trace, joined in by a break)`,
    );
    await marker.getByRole('link', { name: `open trace ${stripped.to?.traceId.slice(0, 8)}` }).click();
    await pwExpect(tab.locator('#waterfall .subtitle')).toContainText(`trace ${stripped.to?.traceId}`);

    expect({ dialogs, errors, requests: requests.filter((r) => !r.startsWith('file:')) }).toEqual({
      dialogs: [],
      errors: [],
      requests: [],
    });
    await tab.close();
  });

  it('draws the downstream trace with the upstream side above the marker', async () => {
    const { page: tab, errors } = await watchedPage(browser);
    const url = fileUrl('downstream.html', renderTraceHtml(spans, { breaks: [stripped] }));
    await tab.goto(`${url}#trace=${stripped.to?.traceId}`);
    expect(await drawnLines(tab)).toEqual(joined(JOINED_CHECKOUT, 'api'));
    expect(errors).toEqual([]);
    await tab.close();
  });

  it('marks broken traces in the list with their count of breaks', async () => {
    const { page: tab } = await watchedPage(browser);
    await tab.setContent(renderTraceHtml(spans, { breaks: [stripped, refused] }));
    await pwExpect(tab.locator('#list .trace')).toHaveCount(3);
    const badges = await tab
      .locator('#list .trace')
      .evaluateAll((items) =>
        items.map((item) => [
          item.querySelector('.name span')?.textContent,
          item.querySelector('.badge')?.textContent,
        ]),
      );
    expect(badges).toEqual([
      ['click Pay', '1 break'],
      ['POST', '1 break'],
      ['click Checkout', '1 break'],
    ]);
    // Without breaks, no badge.
    await tab.setContent(renderTraceHtml(spans));
    await pwExpect(tab.locator('#list .trace')).toHaveCount(3);
    await pwExpect(tab.locator('#list .badge')).toHaveCount(0);
    await tab.close();
  });

  it('lists the breaks newest first on the Breaks page, each linking to the traces at both ends', async () => {
    const { page: tab, errors } = await watchedPage(browser);
    // Given oldest first: the page orders them.
    await tab.setContent(renderTraceHtml(spans, { breaks: [stripped, refused] }));
    await tab.getByRole('link', { name: 'Breaks', exact: true }).click();
    const items = tab.locator('#breaks-page li');
    await pwExpect(items).toHaveCount(2);
    await pwExpect(items.locator('.break-kind')).toHaveText([
      'Request refused by CORS: trace headers not allowed',
      'Trace headers stripped on the way',
    ]);
    await pwExpect(items.nth(0)).toContainText(refused.summary);
    await pwExpect(items.nth(0)).toContainText(`Fix: ${refused.fix}`);
    await pwExpect(items.nth(0)).toContainText('to: no span arrived');
    await pwExpect(items.nth(1)).toContainText(stripped.summary);
    // The time of day, as the trace list shows it.
    await pwExpect(items.nth(1).locator('.break-head .muted')).toHaveText(/^\d\d:\d\d:\d\d\.\d{3}$/);

    const toLink = items.nth(1).getByRole('link', { name: /^POST \(shop-api\) in trace / });
    expect(await toLink.getAttribute('href')).toBe(
      `#trace=${stripped.to?.traceId}&span=${stripped.to?.spanId}`,
    );
    await toLink.click();
    // The trace opens, with the span's details.
    await pwExpect(tab.locator('#breaks-page')).toBeHidden();
    await pwExpect.poll(() => drawnLines(tab)).toEqual(joined(JOINED_CHECKOUT, 'api'));
    await pwExpect(tab.locator('#panel h3')).toHaveText('POST /api/checkout');
    await pwExpect(tab.locator('#panel')).toContainText('shop-api');

    await tab.getByRole('link', { name: 'Breaks', exact: true }).click();
    await items
      .nth(1)
      .getByRole('link', { name: /^POST \(shop-web\) in trace / })
      .click();
    await pwExpect.poll(() => drawnLines(tab)).toEqual(joined(JOINED_CHECKOUT, 'web'));
    expect(errors).toEqual([]);
    await tab.close();
  });

  it('opens the Breaks page from #breaks in a file URL', async () => {
    const { page: tab } = await watchedPage(browser);
    await tab.goto(`${fileUrl('breaks.html', renderTraceHtml(spans, { breaks: [refused] }))}#breaks`);
    await pwExpect(tab.locator('#breaks-page li .break-kind')).toHaveText([
      'Request refused by CORS: trace headers not allowed',
    ]);
    await pwExpect(tab.locator('#detail')).toBeHidden();
    await tab.close();
  });

  it('shows a break with no span on the other side, and one whose other trace is not in the page', async () => {
    const { page: tab, errors } = await watchedPage(browser);
    const checkoutOnly = spans.filter((span) => span.traceId === stripped.from.traceId);
    const payOnly = spans.filter((span) => span.traceId === refused.from.traceId);
    await tab.setContent(renderTraceHtml([...checkoutOnly, ...payOnly], { breaks: [stripped, refused] }));
    await tab.locator('#list .trace', { hasText: 'click Pay' }).click();
    await pwExpect
      .poll(() => drawnLines(tab))
      .toEqual([
        { span: 'click Pay', kind: 'internal', depth: 0 },
        { span: 'POST /pay', kind: 'client', depth: 1 },
        { break: 'Request refused by CORS: trace headers not allowed', depth: 2 },
      ]);
    await pwExpect(tab.getByRole('note')).not.toContainText('open trace');

    await tab.locator('#list .trace', { hasText: 'click Checkout' }).click();
    await pwExpect.poll(() => drawnLines(tab)).toEqual(JOINED_CHECKOUT.slice(0, 3));
    await pwExpect(tab.getByRole('note')).toContainText(
      '(not in view: cleared, evicted or not in this page)',
    );
    expect(errors).toEqual([]);
    await tab.close();
  });

  it('shows script-like break texts as text, and runs none of them', async () => {
    const { page: tab, dialogs, errors } = await watchedPage(browser);
    const hostile: TraceBreak = {
      ...refused,
      kind: '<img src=x onerror=alert(1)>' as TraceBreak['kind'],
      summary: '</script><script>alert(2)</script>',
      fix: '<b onmouseover=alert(3)>bold</b>',
      from: { ...refused.from, name: '<i>name</i>' },
    };
    await tab.setContent(renderTraceHtml(spans, { breaks: [hostile] }));
    await tab.locator('#list .trace', { hasText: 'click Pay' }).click();
    const marker = tab.getByRole('note');
    // A kind this viewer does not know is shown as it is.
    await pwExpect(marker.locator('.break-kind')).toHaveText('<img src=x onerror=alert(1)>');
    await pwExpect(marker).toContainText('</script><script>alert(2)</script>');
    await tab.getByRole('link', { name: 'Breaks', exact: true }).click();
    await pwExpect(tab.locator('#breaks-page')).toContainText('<b onmouseover=alert(3)>bold</b>');
    await pwExpect(tab.locator('#breaks-page')).toContainText('<i>name</i> (shop-web)');
    expect(await tab.locator('img, b, i:not(.swatch):not(.event)').count()).toBe(0);
    expect({ dialogs, errors }).toEqual({ dialogs: [], errors: [] });
    await tab.close();
  });
});

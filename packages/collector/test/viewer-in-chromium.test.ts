import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium.mjs';
import { renderTraceHtml, type StoredSpan, startCollector } from '../src/index.js';
import { collectSampleSpans, storedSpan, XSS_NAME } from './sample-trace.js';

// The viewer's pages drawn by a real browser: the page renderTraceHtml makes, and the live
// viewer it shares its drawing code with.
let browser: Browser;
let spans: StoredSpan[];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clicktrace-viewer-'));
  [browser, spans] = await Promise.all([chromium.launch(chromiumLaunchOptions), collectSampleSpans()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A new page that records what must not happen on a saved page: dialogs, script errors, requests. */
async function newPage(): Promise<{ page: Page; dialogs: string[]; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  return { page, dialogs, errors, requests };
}

interface DrawnRow {
  name: string;
  kind: string;
  depth: number;
  error: boolean;
}

/** The waterfall's span rows as drawn (the axis row has no bar). */
async function drawnRows(page: Page): Promise<DrawnRow[]> {
  // Short of the test's timeout, so a page that never draws fails with Playwright's message.
  await page.locator('#waterfall .row .bar').first().waitFor({ timeout: 5000 });
  return page.locator('#waterfall .row:has(.bar)').evaluateAll((rows) =>
    rows.map((row) => {
      const label = row.querySelector('.label');
      const indent = /padding-left:\s*(\d+)px/.exec(label?.getAttribute('style') ?? '')?.[1] ?? '0';
      return {
        name: label?.firstElementChild?.textContent ?? '',
        kind: label?.querySelector('.kind')?.textContent ?? '',
        depth: Number(indent) / 16,
        error: row.querySelector('.bar')?.classList.contains('error') ?? false,
      };
    }),
  );
}

const legend = (page: Page) => page.locator('#waterfall .legend > span').allTextContents();

/** The checkout-api trace of the sample: two services, with the hand-made payments span at the bottom. */
const CHECKOUT_ROWS: DrawnRow[] = [
  { name: 'POST /api/checkout', kind: 'server', depth: 0, error: false },
  { name: 'reserve stock', kind: 'internal', depth: 1, error: false },
  { name: 'GET payments', kind: 'client', depth: 2, error: true },
  { name: 'POST /charge', kind: 'server', depth: 3, error: true },
];
const PAYMENTS_ROWS = CHECKOUT_ROWS.slice(0, 3);

function checkoutTraceId(): string {
  return (spans.find((span) => span.name === 'POST /charge') as StoredSpan).traceId;
}

// A browser page takes a few hundred milliseconds; under a loaded parallel run, more.
describe('renderTraceHtml in Chromium', { timeout: 20_000 }, () => {
  it('lists every trace, opens the newest and draws each of its spans as a row, parents above children', async () => {
    const { page, dialogs, errors, requests } = await newPage();
    await page.setContent(renderTraceHtml(spans, { title: 'checkout fails' }));
    expect(await page.title()).toBe('checkout fails');
    await expect.poll(() => page.locator('#list .trace').count()).toBe(2);
    expect(await page.locator('#count').textContent()).toBe('2 traces');
    // A saved page has nothing of the collector's to control.
    expect(await page.getByRole('button', { name: 'Clear traces' }).count()).toBe(0);
    expect(await page.locator('#list .trace .meta span:first-child').allTextContents()).toEqual([
      'payments-api',
      'checkout-api, payments-api',
    ]);

    // Opened without a click: the newest trace, the protobuf one of payments-api.
    expect(await drawnRows(page)).toEqual(PAYMENTS_ROWS);
    expect(await legend(page)).toEqual(['payments-api']);

    await page.locator('#list .trace').nth(1).click();
    await expect.poll(() => drawnRows(page)).toEqual(CHECKOUT_ROWS);
    expect(await legend(page)).toEqual(['checkout-api', 'payments-api']);
    expect(await page.locator('#list .trace.selected').count()).toBe(1);

    // Span details on click, as in the viewer.
    await page.locator('#waterfall .row', { hasText: 'POST /charge' }).click();
    const panel = page.locator('#panel');
    await panel.waitFor();
    expect(await panel.locator('h3').textContent()).toBe('POST /charge');
    const details = await panel.textContent();
    expect(details).toContain('ERROR: card declined');
    expect(details).toContain('vendor=payments');
    expect(details).toContain('fraud.checked');
    expect(details).toContain('{"card":{"brand":"visa","last4":"4242"},"amounts":[12.5,3],"retried":false}');

    expect({ dialogs, errors, requests }).toEqual({ dialogs: [], errors: [], requests: [] });
    await page.close();
  });

  it('shows a script-like span name, attribute and title as text, and runs none of them', async () => {
    const { page, dialogs, errors, requests } = await newPage();
    const root = storedSpan({
      spanId: '0000000000000001',
      name: XSS_NAME,
      attributes: { img: '<img src=x onerror=alert(2)>' },
    });
    const child = storedSpan({ spanId: '0000000000000002', parentSpanId: root.spanId, name: '<b>bold</b>' });
    const title = '</title><script>alert(3)</script>';
    await page.setContent(renderTraceHtml([root, child], { title }));
    expect((await drawnRows(page)).map((row) => row.name)).toEqual([XSS_NAME, '<b>bold</b>']);
    expect(await page.locator('#waterfall h2').textContent()).toBe(XSS_NAME);
    expect(await page.title()).toBe(title);
    expect(await page.locator('h1').textContent()).toBe(title);

    await page.locator('#waterfall .row', { hasText: XSS_NAME }).click();
    await page.locator('#panel').waitFor();
    expect(await page.locator('#panel').textContent()).toContain('<img src=x onerror=alert(2)>');

    // Nothing was parsed as markup: the page's two scripts only, no element from the data.
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img, b').count()).toBe(0);
    expect({ dialogs, errors, requests }).toEqual({ dialogs: [], errors: [], requests: [] });
    await page.close();
  });

  it('opens from a file:// URL, and #trace=…&span=… there opens that trace and span', async () => {
    const { page, dialogs, errors } = await newPage();
    const file = join(dir, 'trace.html');
    writeFileSync(file, renderTraceHtml(spans));
    const charge = spans.find((span) => span.name === 'POST /charge') as StoredSpan;
    await page.goto(`${pathToFileURL(file).href}#trace=${checkoutTraceId()}&span=${charge.spanId}`);
    expect(await drawnRows(page)).toEqual(CHECKOUT_ROWS);
    expect(await page.locator('#panel h3').textContent()).toBe('POST /charge');
    expect({ dialogs, errors }).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('draws a trace exactly as the live viewer draws it from the collector', async () => {
    const collector = await startCollector({ port: 0 });
    try {
      collector.store.add(spans);
      const live = await browser.newPage();
      await live.goto(`${collector.url}/#trace=${checkoutTraceId()}`);
      expect(await drawnRows(live)).toEqual(CHECKOUT_ROWS);
      expect(await live.locator('#list .trace').count()).toBe(2);
      expect(await live.locator('#clear').count()).toBe(1);

      const { page: saved } = await newPage();
      writeFileSync(join(dir, 'same.html'), renderTraceHtml(spans));
      await saved.goto(`${pathToFileURL(join(dir, 'same.html')).href}#trace=${checkoutTraceId()}`);
      await drawnRows(saved);
      // The whole waterfall, markup and inline styles, is the same.
      expect(await saved.locator('#waterfall').innerHTML()).toBe(
        await live.locator('#waterfall').innerHTML(),
      );
      await Promise.all([live.close(), saved.close()]);
    } finally {
      await collector.close();
    }
  });

  it('says so for no spans', async () => {
    const { page, errors } = await newPage();
    await page.setContent(renderTraceHtml([]));
    await expect.poll(() => page.locator('#list .empty').textContent()).toBe('No spans.');
    expect(await page.locator('#count').textContent()).toBe('0 traces');
    expect(errors).toEqual([]);
    await page.close();
  });
});

import { randomUUID } from 'node:crypto';
import type { BrowserContext, Request } from '@playwright/test';
import type { CollectorClient } from './collector-client.js';

/**
 * Where @clicktrace/web looks for an export URL that overrides the app's own, under automation
 * (packages/web/src/resolve-options.ts): how a test's pages export straight to its collector.
 */
export const EXPORT_OVERRIDE_KEY = 'clicktrace.web.endpoint';

export interface PageExportsOptions {
  /** Which page requests are OTLP exports, for pages that export some other way (copied). */
  exportUrl: string | RegExp;
  /** Leave @clicktrace/web's exports where the app sends them, and copy them to the collector. */
  passOn: boolean;
}

/**
 * The traces a test's pages export, learned without routing a single request.
 *
 * A route would change what the test sees: once a page has one, Playwright answers every CORS
 * preflight itself and allows whatever headers were asked for (playwright-core 1.65), so a CORS
 * policy that refuses `traceparent`, which breaks the trace in production, would pass here. So:
 * - @clicktrace/web on the page exports straight to the test's collector (an init script sets
 *   the URL it reads), to `/v1/traces?owner=<this test's id>`;
 * - any other export (another SDK, or `passOn`) goes where the page sends it, and a copy of its
 *   body goes to the same owner URL.
 *
 * The collector keeps which traces each owner sent (`GET /api/traces?owner=`): a test's traces are
 * those its pages sent, also when a page closed mid-export or sent a beacon, and also with several
 * workers sharing one collector.
 */
export class PageExports {
  /** This test's owner id at the collector. */
  readonly owner = randomUUID();
  private readonly _pending = new Set<Promise<void>>();
  private readonly _context: BrowserContext;
  private readonly _collector: CollectorClient;
  private readonly _exportUrl: (url: string) => boolean;
  private readonly _passOn: boolean;

  constructor(context: BrowserContext, collector: CollectorClient, options: PageExportsOptions) {
    this._context = context;
    this._collector = collector;
    this._exportUrl = urlMatcher(options.exportUrl);
    this._passOn = options.passOn;
  }

  /** Where this test's exports go. */
  get url(): string {
    return `${this._collector.tracesUrl}?owner=${this.owner}`;
  }

  async start(): Promise<void> {
    if (!this._passOn) {
      await this._context.addInitScript(
        ([key, url]) => {
          (globalThis as Record<symbol, unknown>)[Symbol.for(key)] = url;
        },
        [EXPORT_OVERRIDE_KEY, this.url] as const,
      );
    }
    this._context.on('request', this._onRequest);
  }

  stop(): void {
    this._context.off('request', this._onRequest);
  }

  /**
   * Resolves once the copies started so far have reached the collector. Those that start meanwhile
   * are not waited for: a page that exports all the time must not hold a look forever.
   */
  async settled(): Promise<void> {
    await Promise.all([...this._pending]);
  }

  private readonly _onRequest = (request: Request): void => {
    const url = request.url();
    if (request.method() !== 'POST' || url.startsWith(this._collector.tracesUrl) || !this._exportUrl(url))
      return;
    // A failed copy (the collector went away) only means those spans are not seen.
    const copy = this._copy(request)
      .catch(() => undefined)
      .finally(() => this._pending.delete(copy));
    this._pending.add(copy);
  };

  private async _copy(request: Request): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'content-encoding']) {
      const value = await request.headerValue(name);
      if (value) headers[name] = value;
    }
    const answer = await this._collector.post(request.postDataBuffer() ?? Buffer.alloc(0), headers, this.url);
    await answer.body?.cancel();
  }
}

/** A URL matcher with Playwright's glob rules for strings (`**` any characters, `*` but `/`). */
export function urlMatcher(pattern: string | RegExp): (url: string) => boolean {
  if (pattern instanceof RegExp) return (url) => pattern.test(url);
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  const regex = new RegExp(`^${source}$`);
  return (url) => regex.test(url);
}

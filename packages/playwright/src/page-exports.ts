import { TRACE_IDS_HEADER } from '@clicktrace/collector';
import type { BrowserContext, Request, Response } from '@playwright/test';
import type { CollectorClient } from './collector-client.js';

/**
 * Where @clicktrace/web looks for an export URL that overrides the app's own (see
 * packages/web/src/start-tracing.ts): how a test's pages export straight to the test's collector.
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
 *   the override it reads), and the collector's answer names the trace ids it accepted;
 * - any other export (another SDK, or `passOn`) goes where the page sends it, and a copy of its
 *   body goes to the collector, whose answer names the ids.
 *
 * Every test has its own browser context, so the ids its pages exported are the test's own, also
 * with several workers sharing one collector.
 */
export class PageExports {
  private readonly _owned = new Set<string>();
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

  /** Trace ids this test's pages exported so far. */
  get owned(): ReadonlySet<string> {
    return this._owned;
  }

  async start(): Promise<void> {
    if (!this._passOn) {
      await this._context.addInitScript(
        ([key, url]) => {
          (globalThis as Record<symbol, unknown>)[Symbol.for(key)] = url;
        },
        [EXPORT_OVERRIDE_KEY, this._collector.tracesUrl] as const,
      );
    }
    this._context.on('request', this._onRequest);
    this._context.on('response', this._onResponse);
  }

  stop(): void {
    this._context.off('request', this._onRequest);
    this._context.off('response', this._onResponse);
  }

  /**
   * Resolves once every export seen so far has told its trace ids. Those that start meanwhile are
   * not waited for: a page that exports all the time must not hold a look forever.
   */
  async settled(): Promise<void> {
    await Promise.all([...this._pending]);
  }

  private readonly _onRequest = (request: Request): void => {
    if (request.method() !== 'POST' || this._isCollector(request.url()) || !this._exportUrl(request.url()))
      return;
    this._track(this._copy(request));
  };

  private readonly _onResponse = (response: Response): void => {
    if (response.request().method() !== 'POST' || !this._isCollector(response.url())) return;
    this._track(response.headerValue(TRACE_IDS_HEADER).then((ids) => this._own(ids)));
  };

  private async _copy(request: Request): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'content-encoding']) {
      const value = await request.headerValue(name);
      if (value) headers[name] = value;
    }
    const answer = await this._collector.post(request.postDataBuffer() ?? Buffer.alloc(0), headers);
    await answer.body?.cancel();
    this._own(answer.headers.get(TRACE_IDS_HEADER));
  }

  private _own(ids: string | null): void {
    for (const id of ids?.split(',') ?? []) if (id !== '') this._owned.add(id);
  }

  /** A failed look (the page or the collector went away) only means those ids are not known. */
  private _track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this._pending.delete(tracked));
    this._pending.add(tracked);
  }

  private _isCollector(url: string): boolean {
    return url.startsWith(this._collector.tracesUrl);
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

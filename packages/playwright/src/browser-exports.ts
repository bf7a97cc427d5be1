import { gunzipSync } from 'node:zlib';
import { decodeOtlpJson, decodeOtlpProtobuf } from '@clicktrace/collector';
import type { BrowserContext, Route } from '@playwright/test';
import type { CollectorClient } from './collector-client.js';

/** How long a page may take to answer a flush beyond the idle wait it was given. */
const FLUSH_ANSWER_MS = 1_000;

/** The symbol under which @clicktrace/web exposes its SDK to tests (see packages/web). */
const WEB_SDK_KEY = 'clicktrace.web';

/**
 * Sends the page's own OTLP exports to the test's collector, whatever URL the app exports to,
 * so browser spans arrive with no change to the app.
 *
 * Every test has its own browser context, so the traces its pages export are the test's own:
 * `onTraceIds` hears each export's trace ids before the page's export request completes. That is
 * how a test sees only its own traces, also with several workers sharing one collector.
 */
export async function routeBrowserExports(
  context: BrowserContext,
  pattern: string | RegExp,
  collector: CollectorClient,
  onTraceIds: (traceIds: Iterable<string>) => void,
  passOn = false,
): Promise<void> {
  await context.route(pattern, async (route) => {
    try {
      await forward(route, collector, onTraceIds, passOn);
    } catch {
      // The collector or the page went away mid-test: the app must never see an error for it,
      // and an export to be passed on still goes on.
      const settled = passOn
        ? route.continue()
        : route.fulfill({ status: 200, headers: corsHeaders(route), body: '{}' });
      await settled.catch(() => undefined);
    }
  });
}

async function forward(
  route: Route,
  collector: CollectorClient,
  onTraceIds: (traceIds: Iterable<string>) => void,
  passOn: boolean,
): Promise<void> {
  const request = route.request();
  if (request.method() === 'OPTIONS') {
    if (passOn) await route.continue();
    else await route.fulfill({ status: 204, headers: corsHeaders(route) });
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'content-encoding']) {
    const value = await request.headerValue(name);
    if (value) headers[name] = value;
  }
  const body = request.postDataBuffer() ?? Buffer.alloc(0);
  onTraceIds(traceIdsIn(body, headers['content-type'], headers['content-encoding']));
  const answer = await collector.post(body, headers);
  if (passOn) {
    // A copy went to the test's collector; the page's own request goes on to where it was sent.
    await answer.body?.cancel();
    await route.continue();
    return;
  }
  await route.fulfill({
    status: answer.status,
    headers: {
      ...corsHeaders(route),
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    },
    body: Buffer.from(await answer.arrayBuffer()),
  });
}

/** The trace ids of an OTLP/HTTP export body; none when it cannot be read (the collector says why). */
function traceIdsIn(body: Buffer, contentType = '', encoding = ''): Set<string> {
  try {
    const bytes = encoding.toLowerCase() === 'gzip' ? gunzipSync(body) : body;
    const spans = contentType.includes('json')
      ? decodeOtlpJson(JSON.parse(bytes.toString('utf8')))
      : decodeOtlpProtobuf(bytes);
    return new Set(spans.map((span) => span.traceId));
  } catch {
    return new Set();
  }
}

function corsHeaders(route: Route): Record<string, string> {
  const origin = route.request().headers().origin;
  return {
    'access-control-allow-origin': origin ?? '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers':
      route.request().headers()['access-control-request-headers'] ?? 'content-type',
  };
}

/**
 * Asks every page's clicktrace SDK to export now; pages without it are skipped. With `idleMs`, the
 * SDK first waits (up to that long) for its open interactions to end, so a click that is still at
 * work is exported the moment it ends instead of at the next poll.
 */
export async function flushPages(context: BrowserContext, idleMs = 0): Promise<void> {
  // A page that cannot answer (a paused clock, a dialog, an upstream that hangs a passed-on
  // export) must not hold the caller past its own deadline: one look gives up after this long.
  const limit = new Promise<void>((resolve) => setTimeout(resolve, idleMs + FLUSH_ANSWER_MS).unref());
  await Promise.all(
    context.pages().map((page) => {
      const flushed = page
        .evaluate(
          async ([key, idle]) => {
            const sdk = (
              globalThis as Record<
                symbol,
                { flush?: (options?: { idle?: number }) => Promise<void> } | undefined
              >
            )[Symbol.for(key)];
            await sdk?.flush?.({ idle });
          },
          [WEB_SDK_KEY, idleMs] as const,
        )
        .catch(() => undefined);
      return Promise.race([flushed, limit]);
    }),
  );
}

import type { BreakKind, TraceBreak } from '@clicktrace/collector';
import { expect, type TraceQuery, type Traces, test } from '@clicktrace/playwright';
import type { BrowserContext, Page } from '@playwright/test';

// Each button of the breaks lab (apps/breaks-lab) breaks the click's trace in one way. For each,
// the collector's API names the kind and the fix, its viewer shows them as Chromium draws it, and
// a failing waitForTrace says the same. The lab's page is served without the clicktrace Vite
// plugin, and the fixture routes nothing: the page meets each server's real CORS policy.

const collectorUrl = process.env.CLICKTRACE_COLLECTOR_URL as string;

interface Case {
  button: string;
  kind: BreakKind;
  /** The kind in words, as the viewer shows it. */
  words: string;
  where?: 'browser' | 'server';
  /** What the page shows once its request ended. */
  outcome: RegExp;
  fix: RegExp;
}

const CASES: Case[] = [
  {
    button: 'not-injected',
    kind: 'not-injected',
    words: 'Trace headers not sent',
    outcome: /: 200$/,
    fix: /^add http:\/\/127\.0\.0\.1:\d+ to propagateTo$/,
  },
  {
    button: 'header-stripped',
    kind: 'header-stripped',
    words: 'Trace headers stripped on the way',
    outcome: /: 200$/,
    fix: /^let traceparent through whatever is between lab-web and lab-api/,
  },
  {
    button: 'propagator-mismatch',
    kind: 'propagator-mismatch',
    words: 'Trace headers in a format the server does not read',
    outcome: /: 200$/,
    fix: /OTEL_PROPAGATORS=tracecontext,baggage/,
  },
  {
    button: 'not-extracted',
    kind: 'not-extracted',
    words: 'Trace headers received but not continued',
    outcome: /: 200$/,
    fix: /^make lab-plain-api continue incoming traces/,
  },
  {
    button: 'cors-refused',
    kind: 'cors-refused',
    words: 'Request refused by CORS: trace headers not allowed',
    outcome: /: failed \(TypeError\)$/,
    fix: /^allow traceparent in Access-Control-Allow-Headers on http:\/\/127\.0\.0\.1:\d+/,
  },
  {
    button: 'server-not-traced',
    kind: 'server-not-traced',
    words: 'No spans from the server',
    outcome: /: 200$/,
    fix: /^trace http:\/\/127\.0\.0\.1:\d+: start it with node --import @clicktrace\/node\/register/,
  },
  {
    button: 'context-lost-server',
    kind: 'context-lost',
    words: 'Context lost inside the service (on the server)',
    where: 'server',
    outcome: /: 200$/,
    fix: /^run the callback in the request's context/,
  },
  {
    button: 'restarted-by-policy',
    kind: 'restarted-by-policy',
    words: 'New trace on purpose (trustIncoming policy)',
    outcome: /: 200$/,
    fix: /^nothing to fix/,
  },
];

async function clickSwitch(page: Page, button: string, outcome: RegExp): Promise<void> {
  await page.goto('/');
  await expect(page.locator('#status')).toHaveText('ready');
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(page.locator('#status')).toHaveText(new RegExp(`^${button}${outcome.source}`));
}

/** The collector's breaks that touch one of `traceIds`. */
async function breaksTouching(traceIds: ReadonlySet<string>): Promise<TraceBreak[]> {
  const { breaks } = (await (await fetch(`${collectorUrl}/api/breaks`)).json()) as { breaks: TraceBreak[] };
  return breaks.filter(
    (item) => traceIds.has(item.from.traceId) || (item.to !== undefined && traceIds.has(item.to.traceId)),
  );
}

/** Waits until the collector reports a break of `kind` touching one of the test's own traces. */
async function waitForBreak(traces: Traces, kind: BreakKind): Promise<TraceBreak> {
  let found: TraceBreak | undefined;
  await expect
    .poll(
      async () => {
        const own = new Set((await traces.all({ settle: 0 })).map((trace) => trace.traceId));
        found = (await breaksTouching(own)).find((item) => item.kind === kind);
        return found;
      },
      { message: `a ${kind} break arrives`, timeout: 30_000 },
    )
    .toBeDefined();
  return found as TraceBreak;
}

/** The collector's viewer, as Chromium draws it: the marker of the break, in words, with its fix. */
async function expectViewerShows(context: BrowserContext, item: TraceBreak, words: string): Promise<void> {
  const viewer = await context.newPage();
  await viewer.goto(`${collectorUrl}/#trace=${item.from.traceId}`);
  // Two clicks that lost their context draw two such markers, with the same words.
  const marker = viewer
    .getByRole('note', { name: words, exact: true })
    .filter({ hasText: item.summary })
    .first();
  await expect(marker).toBeVisible();
  await expect(marker).toContainText(`Fix: ${item.fix}`);
  await viewer.close();
}

/**
 * The message of a waitForTrace that fails. The break is already known, so the wait only has to
 * give up on a span that cannot come.
 */
function failureOf(traces: Traces, query: TraceQuery): Promise<string | undefined> {
  return traces.waitForTrace(query, { timeout: 1_000 }).then(
    () => undefined,
    (error: Error) => error.message,
  );
}

for (const { button, kind, words, where, outcome, fix } of CASES) {
  test(`${button}: the API, the viewer and a failing waitForTrace name ${kind} and its fix`, async ({
    page,
    traces,
    context,
  }) => {
    await clickSwitch(page, button, outcome);

    const item = await waitForBreak(traces, kind);
    expect(item.fix).toMatch(fix);
    expect(item.where).toBe(where);
    expect(item.summary).not.toBe('');

    await expectViewerShows(context, item, words);

    const failure = await failureOf(traces, {
      root: new RegExp(`^click button "${button}"`),
      through: [{ name: 'GET /api/ok', kind: 'SERVER', service: /^lab-(api|b3-api)$/ }],
    });
    expect(failure).toContain(`${kind}${where ? ` (${where})` : ''}: ${item.summary} Fix: ${item.fix}.`);
  });
}

test('context-lost in the browser: a request after a native await, while two clicks are open', async ({
  page,
  traces,
  context,
}) => {
  await page.goto('/');
  await expect(page.locator('#status')).toHaveText('ready');
  const button = page.getByRole('button', { name: 'context-lost-browser', exact: true });
  // The server holds the first click's request until the second's arrives: both stay open.
  await button.click();
  await button.click();
  await expect(page.locator('#status')).toHaveText('context-lost-browser: 200');

  const found = await waitForBreak(traces, 'context-lost');
  expect(found).toMatchObject({
    where: 'browser',
    category: 'context',
    from: { name: 'click button "context-lost-browser"', serviceName: 'lab-web' },
    to: { serviceName: 'lab-web' },
    fix: expect.stringMatching(/^add the clicktrace\(\) Vite plugin/),
  });
  await expectViewerShows(context, found, 'Context lost inside the service (in the browser)');
  const failure = await failureOf(traces, {
    root: /^click/,
    through: [{ name: 'GET /api/after-await', kind: 'SERVER' }],
  });
  expect(failure).toContain(`context-lost (browser): ${found.summary} Fix: ${found.fix}.`);
});

test('a healthy click shows no break, and is connected', async ({ page, traces }) => {
  await clickSwitch(page, 'healthy', /: 200$/);
  const trace = await traces.waitForTrace({
    root: /^click button "healthy"/,
    through: [{ name: 'GET /api/ok', kind: 'SERVER' }],
  });
  expect(trace).toBeConnected();
  expect(trace.breaks).toEqual([]);
  expect(await breaksTouching(new Set([trace.traceId]))).toEqual([]);
});

import { test as base, expect, type Trace } from '@clicktrace/playwright';
import type { Page } from '@playwright/test';
import {
  type AsyncPath,
  type ExpectedRequest,
  expectedOutcome,
  MODES,
  type Mode,
  PATHS,
  pingQuery,
} from './paths.js';

// One test per async path of apps/matrix-web, run in each of the four modes (the projects of
// playwright.config.ts). Each request the path makes is found by its server span, and its spans
// are classified by trace and parent ids: `connected` (server -> request span -> the path's
// interaction span, one trace), `unparented` (the request span is a root of its own) or broken
// (anything else: a missing span, the wrong interaction). The class must be the one paths.ts
// expects for the mode; it is also recorded, with the SDK's `clicktrace.parent.source` of the
// request span (how its parent was chosen), for observed-reporter.ts.

const test = base.extend<{ matrixMode: Mode['id'] }>({ matrixMode: ['dev', { option: true }] });

const WEB_SERVICE = 'matrix-web';
const API_SERVICE = 'matrix-api';
const INTERACTION_NAME = /^(click|submit)\b/;
/** How @clicktrace/web chose a span's parent: 'context', 'interaction-scope' or 'none'. */
const PARENT_SOURCE = 'clicktrace.parent.source';

type Observed = 'connected' | 'unparented' | 'broken';
interface RequestResult {
  ping: string;
  outcome: Observed;
  /** The request span's `clicktrace.parent.source`, when the SDK sets it. */
  source?: string;
  detail: string;
}

const serverSpan = (request: ExpectedRequest) => ({
  name: 'GET /api/ping',
  kind: 'SERVER' as const,
  service: API_SERVICE,
  attributes: { 'url.query': pingQuery(request) },
});

for (const path of PATHS) {
  test(path.id, async ({ page, traces, matrixMode }, testInfo) => {
    const mode = MODES.find((candidate) => candidate.id === matrixMode) as Mode;
    const expected = expectedOutcome(path, mode);

    await page.goto('/');
    const plugin = await page.locator('html').getAttribute('data-clicktrace-plugin');
    testInfo.annotations.push({ type: 'vite plugin', description: plugin ?? 'unknown' });
    const gap = await trigger(page, path);
    // Informational: the page makes the two clicks overlap whatever the gap (see paths.ts).
    if (gap !== undefined)
      testInfo.annotations.push({ type: 'clicks apart (ms)', description: gap.toFixed(1) });

    const results: RequestResult[] = [];
    const found: Trace[] = [];
    for (const request of path.requests) {
      // By its server span only, whatever the root: an unparented request is a trace of its own.
      const trace = await traces.waitForTrace({ through: [serverSpan(request)] }, { settle: 4_000 });
      found.push(trace);
      results.push(classify(trace, request));
    }
    const observed = summarize(results);
    testInfo.annotations.push({
      type: 'observed',
      description: JSON.stringify({ path: path.id, mode: mode.id, plugin, observed, results }),
    });

    const drawn = found.map((trace) => trace.toString()).join('\n');
    for (const result of results) {
      expect(result.outcome, `${result.ping}: ${result.detail}\n${drawn}`).toBe(expected);
    }

    // The same facts, spelled out by ids, for the connected case.
    if (expected !== 'connected') return;
    path.requests.forEach((request, index) => {
      const trace = found[index] as Trace;
      const server = trace.find(serverSpan(request));
      const fetchSpan = server && trace.parent(server);
      const interaction = fetchSpan && trace.parent(fetchSpan);
      expect(fetchSpan?.kind).toBe('CLIENT');
      expect(fetchSpan?.serviceName).toBe(WEB_SERVICE);
      expect(server?.parentSpanId).toBe(fetchSpan?.spanId);
      expect(fetchSpan?.parentSpanId).toBe(interaction?.spanId);
      expect(interaction?.spanId).toBe(trace.root?.spanId);
      expect(trace.root?.name).toMatch(INTERACTION_NAME);
      for (const span of [interaction, fetchSpan, server]) expect(span?.traceId).toBe(trace.traceId);
      expect(trace).toBeConnected();
    });
    if (path.trigger.kind === 'two-clicks') {
      // Each request under its own click: two traces, never one.
      expect(new Set(found.map((trace) => trace.traceId)).size).toBe(path.requests.length);
    }
  });
}

/** Acts on the page as the path says; for two clicks, returns how far apart they started (ms). */
async function trigger(page: Page, path: AsyncPath): Promise<number | undefined> {
  const buttons = path.trigger.buttons.map((name) => page.getByRole('button', { name, exact: true }));
  switch (path.trigger.kind) {
    case 'click':
      for (const button of buttons) await button.click();
      return;
    case 'enter': {
      const [button] = buttons;
      await button?.focus();
      await page.keyboard.press('Enter');
      return;
    }
    case 'two-clicks': {
      // Real pointer input, positions measured first so nothing but the clicks sits between them.
      const centers = [];
      for (const button of buttons) {
        const box = await button.boundingBox();
        if (!box) throw new Error('button not visible');
        centers.push({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
      }
      const times: number[] = [];
      for (const [index, center] of centers.entries()) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, 5));
        times.push(performance.now());
        await page.mouse.click(center.x, center.y);
      }
      return Math.max(...times.slice(1).map((time, i) => time - (times[i] as number)));
    }
  }
}

function classify(trace: Trace, request: ExpectedRequest): RequestResult {
  let source: string | undefined;
  const result = (outcome: Observed, detail: string): RequestResult =>
    source === undefined
      ? { ping: request.ping, outcome, detail }
      : { ping: request.ping, outcome, source, detail };
  const server = trace.find(serverSpan(request));
  if (!server) return result('broken', 'no server span');
  if (server.parentSpanId === undefined) return result('broken', 'the server span is a root: no traceparent');
  const fetchSpan = trace.parent(server);
  if (!fetchSpan) return result('broken', `the server span's parent ${server.parentSpanId} never arrived`);
  if (fetchSpan.kind !== 'CLIENT' || fetchSpan.serviceName !== WEB_SERVICE)
    return result(
      'broken',
      `the server span's parent is ${fetchSpan.name} [${fetchSpan.kind} ${fetchSpan.serviceName}]`,
    );
  const parentSource = fetchSpan.attributes[PARENT_SOURCE];
  if (typeof parentSource === 'string') source = parentSource;
  if (fetchSpan.parentSpanId === undefined) {
    return source === undefined || source === 'none'
      ? result('unparented', 'the request span is a root')
      : result('broken', `the request span is a root, yet its ${PARENT_SOURCE} is ${source}`);
  }
  const interaction = trace.parent(fetchSpan);
  if (!interaction)
    return result('broken', `the request span's parent ${fetchSpan.parentSpanId} never arrived`);
  const label = interaction.attributes['clicktrace.target.label'];
  const isInteraction =
    interaction.kind === 'INTERNAL' &&
    interaction.parentSpanId === undefined &&
    INTERACTION_NAME.test(interaction.name) &&
    typeof label === 'string' &&
    request.under.includes(label);
  return isInteraction
    ? result('connected', `under ${interaction.name}`)
    : result(
        'broken',
        `under the wrong span: ${interaction.name} [${interaction.kind}] (expected one of ${request.under.join(', ')})`,
      );
}

/** One cell of the observed table: `connected`, `connected (via interaction-scope)`, `unparented`, or per request. */
function summarize(results: RequestResult[]): string {
  const outcomes = [...new Set(results.map((r) => r.outcome))];
  if (outcomes.length > 1) return results.map((r) => `${r.ping}: ${r.outcome}`).join(', ');
  const scoped = results.filter((r) => r.outcome === 'connected' && r.source && r.source !== 'context');
  if (scoped.length === 0) return outcomes[0] as string;
  const which = scoped.length === results.length ? '' : ` for ${scoped.map((r) => r.ping).join(', ')}`;
  return `connected (via ${scoped[0]?.source}${which})`;
}

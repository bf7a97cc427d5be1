// The async-context matrix: every async path from a click to a request that apps/matrix-web
// implements, how the suite triggers it, and what it is expected to give in each of the four ways
// the app is served. async-paths.spec.ts checks each cell against these expectations, and
// docs/async-context.md publishes them (rendered by renderTable below, written by render-table.mjs,
// kept in step by doc-table.spec.ts).
//
// No imports: render-table.mjs loads this file with nothing but TypeScript's transpiler.

/** What a request's spans look like after the path ran. */
export type Outcome =
  /** request span (CLIENT) -> child of the interaction span; server span (SERVER) -> child of it; one trace. */
  | 'connected'
  /** the request span is a root, in a trace of its own: no context reached it, none was guessed. */
  | 'unparented';

/** How a path's request gets the click's context when the Vite plugin is off. */
export type Carrier =
  /** zone.js follows the path (patched listener, timer, ZoneAwarePromise, XHR...). */
  | 'zone.js'
  /** no zone task runs the code; the SDK offers the interaction whose event is being dispatched. */
  | 'dispatch fallback'
  /** zone.js loses it (a native `await`); the SDK's interaction scope gives the only open interaction. */
  | 'interaction scope'
  /** nothing: only the plugin (lowering `async`/`await` so zone.js follows it) connects it. */
  | 'needs the plugin';

export interface Trigger {
  /** `click`: one click; `enter`: focus, then Enter; `two-clicks`: the buttons clicked 5 ms apart. */
  kind: 'click' | 'enter' | 'two-clicks';
  /** Accessible names of the buttons, in order. */
  buttons: readonly string[];
}

export interface ExpectedRequest {
  /** The request is `GET /api/ping?path=<ping>` (`&delay=<delayMs>` when given: see pingQuery). */
  ping: string;
  /** How long the API holds the request. */
  delayMs?: number;
  /**
   * Labels (`clicktrace.target.label`) of the interaction spans it may hang under. One label for
   * almost every path; a nested click may land under either click, a form's request under the
   * click on its submit button or under the submit (the form's name).
   */
  under: readonly string[];
}

export interface AsyncPath {
  /** Test title, button name, ping name. */
  id: string;
  /** Row title in docs/async-context.md (Markdown). */
  title: string;
  trigger: Trigger;
  requests: readonly ExpectedRequest[];
  /** The expectation without the plugin (with it, every path is `connected`). */
  withoutPlugin: Outcome;
  /** What carries the context without the plugin. */
  carrier: Carrier;
}

export interface Mode {
  /** Playwright project name. */
  id: 'dev-plugin' | 'dev' | 'build-plugin' | 'build';
  /** Column title in docs/async-context.md. */
  title: string;
  server: 'dev' | 'build';
  plugin: boolean;
}

export const MODES: readonly Mode[] = [
  { id: 'dev-plugin', title: 'dev + plugin', server: 'dev', plugin: true },
  { id: 'dev', title: 'dev', server: 'dev', plugin: false },
  { id: 'build-plugin', title: 'build + plugin', server: 'build', plugin: true },
  { id: 'build', title: 'build', server: 'build', plugin: false },
];

const click = (id: string): Trigger => ({ kind: 'click', buttons: [id] });
const one = (id: string, under: readonly string[] = [id]): ExpectedRequest[] => [{ ping: id, under }];

export const PATHS: readonly AsyncPath[] = [
  {
    id: 'sync',
    title: 'synchronous: `fetch` in the handler',
    trigger: click('sync'),
    requests: one('sync'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'await-once',
    title: 'one `await`, then `fetch`',
    trigger: click('await-once'),
    requests: one('await-once'),
    withoutPlugin: 'connected',
    carrier: 'interaction scope',
  },
  {
    id: 'await-three',
    title: 'three `await`s in a row, then `fetch`',
    trigger: click('await-three'),
    requests: one('await-three'),
    withoutPlugin: 'connected',
    carrier: 'interaction scope',
  },
  {
    id: 'await-fetch-then-fetch',
    title: '`await fetch(...)`, then a second `fetch`',
    trigger: click('await-fetch-then-fetch'),
    requests: [
      { ping: 'await-fetch-then-fetch-1', under: ['await-fetch-then-fetch'] },
      { ping: 'await-fetch-then-fetch-2', under: ['await-fetch-then-fetch'] },
    ],
    withoutPlugin: 'connected',
    carrier: 'interaction scope',
  },
  {
    id: 'await-dep',
    title: '`await` of a promise from a pre-bundled dependency',
    trigger: click('await-dep'),
    requests: one('await-dep'),
    withoutPlugin: 'connected',
    carrier: 'interaction scope',
  },
  {
    id: 'set-timeout',
    title: '`setTimeout`',
    trigger: click('set-timeout'),
    requests: one('set-timeout'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'set-interval',
    title: '`setInterval` (first tick)',
    trigger: click('set-interval'),
    requests: one('set-interval'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'raf',
    title: '`requestAnimationFrame`',
    trigger: click('raf'),
    requests: one('raf'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'queue-microtask',
    title: '`queueMicrotask`',
    trigger: click('queue-microtask'),
    requests: one('queue-microtask'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'then-chain',
    title: 'a `.then` chain',
    trigger: click('then-chain'),
    requests: one('then-chain'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'promise-all',
    title: '`Promise.all` of two fetches',
    trigger: click('promise-all'),
    requests: [
      { ping: 'promise-all-1', under: ['promise-all'] },
      { ping: 'promise-all-2', under: ['promise-all'] },
    ],
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'message-channel',
    title: '`MessageChannel` (`port.onmessage`)',
    trigger: click('message-channel'),
    requests: one('message-channel'),
    withoutPlugin: 'connected',
    carrier: 'interaction scope',
  },
  {
    id: 'xhr',
    title: '`XMLHttpRequest`',
    trigger: click('xhr'),
    requests: one('xhr'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'fetch-request',
    title: '`fetch(new Request(...))`',
    trigger: click('fetch-request'),
    requests: one('fetch-request'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'react',
    title: 'listener delegated at the root (React 19 `onClick`)',
    trigger: click('react'),
    requests: one('react'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'inline',
    title: 'inline `onclick=""` attribute',
    trigger: click('inline'),
    requests: one('inline'),
    withoutPlugin: 'connected',
    carrier: 'dispatch fallback',
  },
  {
    id: 'form-submit',
    title: 'form submit (click on its submit button)',
    trigger: click('form-submit'),
    requests: one('form-submit'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'enter-key',
    title: 'Enter on a focused button',
    trigger: { kind: 'enter', buttons: ['enter-key'] },
    requests: one('enter-key'),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
  {
    id: 'two-clicks',
    title: 'two buttons clicked 5 ms apart, each `await`ing before its `fetch`',
    trigger: { kind: 'two-clicks', buttons: ['two-clicks-a', 'two-clicks-b'] },
    requests: [
      { ping: 'two-clicks-a', under: ['two-clicks-a'], delayMs: 300 },
      { ping: 'two-clicks-b', under: ['two-clicks-b'], delayMs: 300 },
    ],
    withoutPlugin: 'unparented',
    carrier: 'needs the plugin',
  },
  {
    id: 'nested-click',
    title: 'a click inside a click handler',
    trigger: click('nested-click'),
    requests: one('nested-click', ['nested-click', 'nested-click-inner']),
    withoutPlugin: 'connected',
    carrier: 'zone.js',
  },
];

/** The query string of a request, as the server span's `url.query` holds it (apps/matrix-web/src/api.ts builds it). */
export function pingQuery(request: ExpectedRequest): string {
  return `path=${request.ping}${request.delayMs ? `&delay=${request.delayMs}` : ''}`;
}

export function expectedOutcome(path: AsyncPath, mode: Mode): Outcome {
  return mode.plugin ? 'connected' : path.withoutPlugin;
}

/** The expectations as the Markdown table docs/async-context.md publishes. */
export function renderTable(paths: readonly AsyncPath[] = PATHS, modes: readonly Mode[] = MODES): string {
  const cell = (outcome: Outcome): string => (outcome === 'connected' ? 'connected' : '**unparented**');
  const header = ['path', 'test', ...modes.map((mode) => mode.title), 'without the plugin, carried by'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const path of paths) {
    const cells = [
      path.title,
      `\`${path.id}\``,
      ...modes.map((mode) => cell(expectedOutcome(path, mode))),
      path.carrier,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Where the table sits in docs/async-context.md. */
export const TABLE_START = '<!-- async-context-table:start (generated by e2e/matrix/render-table.mjs) -->';
export const TABLE_END = '<!-- async-context-table:end -->';

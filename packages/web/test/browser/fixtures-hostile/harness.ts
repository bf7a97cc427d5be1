// What every case app shares. Nothing here patches the page: the case decides when, and whether,
// @clicktrace/web is loaded, so a run without `trace` has no SDK at all (not even zone.js).
// Query parameters: api (the echo API the app calls, in propagateTo), endpoint (the OTLP
// collector), trace (start tracing).
import type { WebTracing, WebTracingOptions } from '@clicktrace/web';

export const params = new URLSearchParams(location.search);
export const API = params.get('api') ?? '';
export const traced = params.has('trace');

/** What clicktrace said through diag (warnings and errors), for the spec: `window.hostile`. */
export const diagnostics: string[] = [];
Object.assign(window, { hostile: { diagnostics } });

/** Appends a line to the page's log: the visible result the spec compares between the runs. */
export function show(line: string): void {
  const item = document.createElement('li');
  item.textContent = line;
  document.getElementById('log')?.append(item);
}

/** Adds a button that runs `listener` on click. */
export function button(id: string, label: string, listener: () => unknown): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.id = id;
  element.textContent = label;
  element.addEventListener('click', listener);
  document.getElementById('app')?.append(element);
  return element;
}

/** How a fetch turned out, as the app prints it: `200 <body>`, or the error it rejected with. */
export async function outcomeOf(response: Promise<Response>): Promise<string> {
  try {
    const answer = await response;
    return `${answer.status} ${await answer.text()}`;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

type StartTracing = typeof import('@clicktrace/web').startTracing;
let loading: Promise<StartTracing> | undefined;

/** Loads @clicktrace/web (and so zone.js), once, with a diag logger that records into `diagnostics`. */
export function loadClicktrace(): Promise<StartTracing> {
  loading ??= (async () => {
    const [{ startTracing }, { diag, DiagLogLevel }] = await Promise.all([
      import('@clicktrace/web'),
      import('@opentelemetry/api'),
    ]);
    const record = (message: string) => void diagnostics.push(message);
    diag.setLogger({ error: record, warn: record, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
    return startTracing;
  })();
  return loading;
}

/** The options every case starts tracing with. */
export function tracingOptions(serviceName = 'hostile-web'): WebTracingOptions {
  return { serviceName, endpoint: params.get('endpoint') ?? undefined, propagateTo: [API] };
}

/** Starts tracing when the run asks for it (`trace`), as an app that imports clicktrace first. */
export async function startTracingIfAsked(serviceName?: string): Promise<WebTracing | undefined> {
  if (!traced) return undefined;
  const startTracing = await loadClicktrace();
  return startTracing(tracingOptions(serviceName));
}

// Another library (an auth or analytics SDK) wraps fetch to add a header, and calls the fetch it
// found. Query: wrap=before|loaded|after (installed before the package loads, after it loads but
// before startTracing, or after startTracing), style=request|init.
import {
  API,
  button,
  loadClicktrace,
  outcomeOf,
  params,
  show,
  startTracingIfAsked,
  traced,
  tracingOptions,
} from './harness.js';

type Fetch = typeof fetch;

const wrappers: Record<string, (previous: Fetch) => Fetch> = {
  /** Merges its header into whatever it is called with, a URL and init or a Request. */
  request: (previous) =>
    function wrappedFetch(input, init) {
      const request = new Request(input, init);
      request.headers.set('x-wrapper', 'request');
      return previous(request);
    },
  /** The copy-paste kind: spreads its header into the init's headers (a plain object). */
  init: (previous) =>
    function wrappedFetch(input, init) {
      const headers = { ...(init?.headers as Record<string, string> | undefined), 'x-wrapper': 'init' };
      return previous(input, { ...init, headers });
    },
};
const wrap = wrappers[params.get('style') ?? ''] as (previous: Fetch) => Fetch;

if (params.get('wrap') === 'before') globalThis.fetch = wrap(globalThis.fetch);
if (params.get('wrap') === 'loaded') {
  // The package imported (zone.js with it), then the wrapper, then startTracing.
  const startTracing = traced ? await loadClicktrace() : undefined;
  globalThis.fetch = wrap(globalThis.fetch);
  startTracing?.(tracingOptions());
} else await startTracingIfAsked();
if (params.get('wrap') === 'after') globalThis.fetch = wrap(globalThis.fetch);

button('order', 'Order', async () => {
  const response = fetch(`${API}/order`, { method: 'POST', headers: { 'x-app': 'shop' }, body: 'one book' });
  show(`order: ${await outcomeOf(response)}`);
});

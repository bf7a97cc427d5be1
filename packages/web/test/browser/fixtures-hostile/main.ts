// Loads the case named by the `case` query parameter. Each case is an app that misbehaves in one
// way; with the `trace` parameter it also starts clicktrace (see harness.ts). `data-ready` on <html>
// tells the spec the case has set itself up.
const cases: Record<string, () => Promise<unknown>> = {
  'fetch-wrapper': () => import('./fetch-wrapper.js'),
  csp: () => import('./csp.js'),
  'zone-first': () => import('./zone-first.js'),
  twice: () => import('./twice.js'),
  late: () => import('./late.js'),
  'stream-body': () => import('./stream-body.js'),
  'sync-xhr': () => import('./sync-xhr.js'),
  'iframe-parent': () => import('./iframe-parent.js'),
  'iframe-child': () => import('./iframe-child.js'),
};

const name = new URLSearchParams(location.search).get('case') ?? '';
const load = cases[name];
if (!load) throw new Error(`hostile fixture: no case '${name}'`);
await load();
document.documentElement.dataset.ready = '';

// Clicks that leave the page while their work is in flight, each the way an app does it.
// Query parameters: endpoint (the collector), api (a cross-origin API), run (tags each request,
// so the test can tell the runs apart).
// zone.js first, as importing the built package first does for an app: this production build
// takes the source, which package.json's sideEffects (naming dist/ only) would let it drop.
import 'zone.js';
import { startTracing } from '../../../src/index.js';

const params = new URLSearchParams(location.search);
const API = params.get('api') ?? '';
const run = params.get('run') ?? '0';

const tracing = startTracing({
  serviceName: 'leave-fixture',
  endpoint: params.get('endpoint') ?? undefined,
  propagateTo: [API],
});

/** Whether this document was restored from the back/forward cache (read by the test). */
const state = { restored: false, answered: 0 };
Object.assign(globalThis, { fixture: state, tracing });
addEventListener('pageshow', (event) => {
  if (event.persisted) state.restored = true;
});

const leave = (): void => {
  location.href = `next.html?run=${run}`;
};
const on = (id: string, listener: (event: Event) => void): void =>
  document.getElementById(id)?.addEventListener('click', listener);

on('unawaited', () => {
  void fetch(`/api/unawaited?run=${run}`);
  leave();
});
on('awaited', async () => {
  await fetch(`/api/awaited?run=${run}`);
  leave();
});
on('xhr', () => {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', `/api/xhr?run=${run}`);
  xhr.send();
  leave();
});
on('cross-origin', () => {
  void fetch(`${API}/cross-origin?run=${run}`);
  leave();
});
document.getElementById('form')?.addEventListener('submit', () => {
  void fetch(`/api/form?run=${run}`, { method: 'POST' });
});
on('link', () => {
  void fetch(`/api/link?run=${run}`);
});
on('stay', async () => {
  await fetch(`/api/stay?run=${run}`);
  state.answered++;
});
on('slow', async () => {
  await fetch(`/api/slow?run=${run}`);
  state.answered++;
});

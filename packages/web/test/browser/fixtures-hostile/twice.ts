// startTracing called twice, as when two parts of an app (or a micro-frontend) each start it.
import {
  API,
  button,
  loadClicktrace,
  outcomeOf,
  show,
  startTracingIfAsked,
  traced,
  tracingOptions,
} from './harness.js';

const first = await startTracingIfAsked();
if (traced) {
  const startTracing = await loadClicktrace();
  const second = startTracing({ ...tracingOptions('second-web'), propagateTo: [] });
  Object.assign(window, { sameInstance: second === first });
}

button('send', 'Send', async () => show(`send: ${await outcomeOf(fetch(`${API}/twice`))}`));

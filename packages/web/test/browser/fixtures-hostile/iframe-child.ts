// The iframe of iframe-parent.ts: a page of its own that starts tracing.
import { API, button, outcomeOf, show, startTracingIfAsked } from './harness.js';

await startTracingIfAsked('hostile-frame');

button('child', 'Frame fetch', async () => show(`frame: ${await outcomeOf(fetch(`${API}/frame`))}`));

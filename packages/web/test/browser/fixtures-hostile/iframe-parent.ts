// A page with a same-origin iframe (iframe-child.ts) that starts tracing itself. The parent also
// clicks a button inside the frame from its own code.
import { API, button, outcomeOf, params, show, startTracingIfAsked } from './harness.js';

await startTracingIfAsked('hostile-parent');

button('parent', 'Parent fetch', async () => show(`parent: ${await outcomeOf(fetch(`${API}/parent`))}`));

const frame = document.createElement('iframe');
frame.title = 'child';
frame.src = `index.html?${new URLSearchParams({ ...Object.fromEntries(params), case: 'iframe-child' })}`;

button('click-in-frame', 'Click in frame', () => frame.contentDocument?.getElementById('child')?.click());
document.getElementById('app')?.append(frame);

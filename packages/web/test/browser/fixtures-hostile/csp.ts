// A page whose Content-Security-Policy (a response header, see the spec) allows connections to its
// own origin and its API only: the OTLP collector is blocked.
import { API, button, outcomeOf, show, startTracingIfAsked } from './harness.js';

/** The URLs the browser blocked, for the spec (not in the log: only the traced run has them). */
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => void violations.push(event.blockedURI));
Object.assign(window, { violations });

await startTracingIfAsked();

button('fetch', 'Fetch', async () => show(`fetch: ${await outcomeOf(fetch(`${API}/csp-fetch`))}`));
button('xhr', 'XHR', () => {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', `${API}/csp-xhr`);
  xhr.addEventListener('loadend', () => show(`xhr: ${xhr.status} ${xhr.responseText}`));
  xhr.send();
});

// A synchronous XMLHttpRequest in a click listener: its events fire inside send().
import { API, button, show, startTracingIfAsked } from './harness.js';

await startTracingIfAsked();

button('stock', 'Check stock', () => {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', `${API}/sync-xhr`, false);
  xhr.addEventListener('load', () => show(`load event: ${xhr.readyState}`));
  xhr.send();
  show(`stock: ${xhr.status} ${xhr.responseText}`);
});

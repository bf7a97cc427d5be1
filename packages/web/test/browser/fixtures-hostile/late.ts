// Tracing loaded late: the app is up (click listener registered, a request made) before clicktrace
// (and zone.js with it) is even loaded, once the user accepts analytics. A request is in flight
// while it starts.
import { API, button, outcomeOf, show, startTracingIfAsked } from './harness.js';

button('search', 'Search', async () => show(`search: ${await outcomeOf(fetch(`${API}/search`))}`));
show(`boot: ${await outcomeOf(fetch(`${API}/boot`))}`);

button('consent', 'Accept analytics', async () => {
  const inFlight = fetch(`${API}/in-flight`);
  await startTracingIfAsked();
  show(`in flight: ${await outcomeOf(inFlight)}`);
  show('consent given');
});

// The app loads zone.js itself, before clicktrace, and runs in a zone of its own as Angular does:
// a property its code looks up (NgZone.isInAngularZone) and a hook that sees every task it runs
// (where Angular runs change detection).
import 'zone.js';
import { API, button, show, startTracingIfAsked } from './harness.js';

await startTracingIfAsked();

let lastTask = '';
const appZone = Zone.current.fork({
  name: 'app',
  properties: { isAppZone: true },
  onInvokeTask(delegate, _current, target, task, applyThis, applyArgs) {
    lastTask = task.source;
    return delegate.invokeTask(target, task, applyThis, applyArgs);
  },
});

appZone.run(() => {
  button('load', 'Load', () => {
    show(`click: task ${lastTask}, in app zone ${Zone.current.get('isAppZone') === true}`);
    void fetch(`${API}/zone-fetch`)
      .then((response) => response.text())
      .then((text) => show(`load: ${text}, in app zone ${Zone.current.get('isAppZone') === true}`));
  });
});

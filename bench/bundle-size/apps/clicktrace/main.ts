// The minimal app with clicktrace: one click listener, one fetch, spans exported over OTLP.
import { startTracing } from '@clicktrace/web';

startTracing({ serviceName: 'bench-web', endpoint: '/v1/traces' });

document.querySelector('button')?.addEventListener('click', () => {
  void fetch('/api/items');
});

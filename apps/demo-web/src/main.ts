// Tracing starts first, before the app's own code runs.
import { startTracing } from '@clicktrace/web';
import { apiUrl } from './api.js';
import { startShop } from './shop.js';

startTracing({
  serviceName: 'shop-web',
  endpoint: import.meta.env.VITE_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces',
  propagateTo: [apiUrl],
});

startShop(document);

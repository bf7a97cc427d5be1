// main.ts
import { startTracing } from '@clicktrace/web';
import { mountApp } from './app.js';

startTracing({
  serviceName: 'shop-web',
  endpoint: 'http://127.0.0.1:4318/v1/traces', // OTLP/HTTP traces URL; default '/v1/traces' on the page's origin
  propagateTo: ['http://127.0.0.1:3001', /\.example\.com$/], // origins that get traceparent; the page's own origin always does
});

mountApp();

// Tracing starts first, before the app's own code runs: @clicktrace/web loads zone.js, which must
// patch timers, promises and listeners before React and the app capture them.
import { startTracing } from '@clicktrace/web';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { apiUrl } from './api.js';
import './shop.css';

startTracing({
  serviceName: 'shop-web',
  endpoint: import.meta.env.VITE_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces',
  propagateTo: [apiUrl],
});

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

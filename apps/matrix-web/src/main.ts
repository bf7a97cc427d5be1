// Tracing starts first, before the app's own code runs: zone.js (imported by @clicktrace/web)
// must patch timers, promises and listeners before anything else captures them.
import { startTracing } from '@clicktrace/web';
import { apiUrl, ping } from './api.js';
import { wirePaths } from './paths.js';
import { mountReactPath } from './react-path.js';

startTracing({ serviceName: 'matrix-web', propagateTo: [apiUrl] });

document.documentElement.dataset.clicktracePlugin = __CLICKTRACE_PLUGIN__;
window.matrix = { ping };
wirePaths(document);
mountReactPath(document.getElementById('react-root') as HTMLElement);

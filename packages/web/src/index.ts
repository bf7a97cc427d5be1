/**
 * @clicktrace/web: one trace from a click in the browser to the last backend call.
 *
 * @example
 * import { startTracing } from '@clicktrace/web';
 * startTracing({ serviceName: 'shop-web', propagateTo: ['https://api.example.com'] });
 *
 * @module
 */

// zone.js must patch the browser's async APIs before the application schedules anything; importing
// it here (the one side effect of this package) is why the README says "import it first".
import 'zone.js';

export { startTracing } from './start-tracing.js';
export type { FlushOptions, WebTracing, WebTracingOptions } from './web-tracing.js';

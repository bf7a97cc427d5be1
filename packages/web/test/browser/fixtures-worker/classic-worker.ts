// A classic worker (created without `type: 'module'`): Vite bundles it into one script.
// zone.js first, as importing @clicktrace/web/worker does from the package (see main.ts).
import 'zone.js';
import { startWorkerTracing } from '../../../src/worker.js';
import { handleJobs } from './handle-jobs.js';

startWorkerTracing({ serviceName: 'fixture-classic-worker', propagateTo: [/^http:\/\/127\.0\.0\.1:\d+$/] });
handleJobs();

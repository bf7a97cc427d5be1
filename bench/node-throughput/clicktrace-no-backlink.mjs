// clicktrace as `--import @clicktrace/node/register` sets it up, minus the Server-Timing backlink:
// splits the backlink's cost (larger responses, which autocannon parses too) from the rest.
import { startTracing } from '@clicktrace/node';

const tracing = startTracing({ serverTiming: false });
process.once('SIGTERM', () => void tracing.shutdown()); // the server closes itself on SIGTERM

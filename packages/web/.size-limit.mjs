// What a page pays for `import { startTracing } from '@clicktrace/web'`: dist/index.js (run the build
// first) with everything it imports, minified, gzip. Nothing is left out: size-limit ignores peer
// dependencies unless told otherwise, but @opentelemetry/api is a peer a page without OpenTelemetry
// installs for us, and zone.js comes with the package. A JavaScript file, not .size-limit.json,
// because only modifyRolldownConfig can put the peers back in.
export default [
  {
    name: "import { startTracing } from '@clicktrace/web'",
    path: 'dist/index.js',
    import: '{ startTracing }',
    gzip: true,
    // 33.5 kB until issue 11: the propagation evidence on request spans and the test collector's URL
    // took 390 B (see BENCHMARKS.md). 33.8 kB until issue 12: the hand-off to Web Workers (the Worker
    // constructor's hello listener, the postMessage span and envelope: worker-hand-off.ts) took 350 B.
    limit: '34.1 kB',
    modifyRolldownConfig: (config) => ({ ...config, external: undefined }),
  },
  {
    // What a worker pays for its one line (docs/web-workers.md): its own entry, so none of it is
    // in the page's bundle above.
    name: "import { startWorkerTracing } from '@clicktrace/web/worker'",
    path: 'dist/worker.js',
    import: '{ startWorkerTracing }',
    gzip: true,
    limit: '30.6 kB',
    modifyRolldownConfig: (config) => ({ ...config, external: undefined }),
  },
];

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
    limit: '33.5 kB',
    modifyRolldownConfig: (config) => ({ ...config, external: undefined }),
  },
];

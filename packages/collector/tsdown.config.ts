import { defineConfig } from 'tsdown';
import { writeViewerModule } from './scripts/viewer-bundle.ts';

export default defineConfig({
  // cli: what bin/clicktrace-collector.js runs.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  platform: 'node',
  target: 'node22.15',
  fixedExtension: false,
  dts: true,
  // Before each build: the viewer's browser code (src/viewer/) bundled into
  // src/viewer-bundle.generated.ts, which the page inlines (scripts/viewer-bundle.ts says why so).
  hooks: { 'build:prepare': writeViewerModule },
});

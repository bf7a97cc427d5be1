import { defineConfig } from 'tsdown';

export default defineConfig({
  // cli: what bin/clicktrace-collector.js runs.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  platform: 'node',
  target: 'node22.15',
  fixedExtension: false,
  dts: true,
});

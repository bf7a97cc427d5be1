import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  platform: 'node',
  target: 'node22.15',
  fixedExtension: false,
  dts: true,
});

import { defineConfig } from 'tsdown';
import { apiCompat, BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE } from '../../scripts/bundled-opentelemetry.ts';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    register: 'src/register.ts',
    cors: 'src/cors/index.ts',
    relay: 'src/relay/index.ts',
    hono: 'src/hono/index.ts',
  },
  platform: 'node',
  target: 'node22.15',
  fixedExtension: false,
  dts: { resolve: [BUNDLED_OPENTELEMETRY] },
  deps: { alwaysBundle: [BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE] },
  plugins: [apiCompat()],
});

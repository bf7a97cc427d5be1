import { defineConfig } from 'tsdown';
import { apiCompat, BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE } from '../../scripts/bundled-opentelemetry.ts';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    register: 'src/register.ts',
    cors: 'src/cors/index.ts',
    relay: 'src/relay/index.ts',
    hono: 'src/hono/index.ts',
    'worker-threads': 'src/worker-threads/index.ts',
    // Loaded by library-instrumentations.ts only when the app has the library.
    'libraries/pg': 'src/libraries/pg.ts',
    'libraries/mysql2': 'src/libraries/mysql2.ts',
    'libraries/ioredis': 'src/libraries/ioredis.ts',
    'libraries/redis': 'src/libraries/redis.ts',
    'libraries/mongodb': 'src/libraries/mongodb.ts',
    'libraries/amqplib': 'src/libraries/amqplib.ts',
  },
  platform: 'node',
  target: 'node22.15',
  fixedExtension: false,
  dts: { resolve: [BUNDLED_OPENTELEMETRY] },
  deps: { alwaysBundle: [BUNDLED_OPENTELEMETRY, BUNDLED_WORKSPACE] },
  plugins: [apiCompat()],
});

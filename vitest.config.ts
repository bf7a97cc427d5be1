import { defineConfig } from 'vitest/config';

// Unit tests of every package, in Node. Browser behaviour is tested in real Chromium under e2e/.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
  },
});

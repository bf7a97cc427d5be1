import { defineConfig } from 'vitest/config';

// Unit tests of every package, in Node. Browser behaviour is tested in real Chromium under e2e/.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Tests that run a package as users do run its dist/: build what is stale first.
    globalSetup: ['scripts/build-stale-packages.ts'],
  },
});

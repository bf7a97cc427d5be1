// Kept equal to package.json's "version" by `pnpm run version` (scripts/sync-versions.mjs); a test checks it.
export const VERSION = '0.1.0';

// Kept equal to package.json's "version" by hand until the release script generates it.
export const VERSION = '0.1.0';

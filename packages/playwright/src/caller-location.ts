import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Location } from '@playwright/test';

/** This package's own folder (`dist/` or `src/`): frames in it are ours, not the test's. */
const OWN_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Where the test called into this package: the first stack frame outside it. A boxed step with
 * this location makes a failure point at the test's own line, whether the package is loaded from
 * `node_modules` (which Playwright skips itself) or from a workspace checkout (which it does not).
 */
export function callerLocation(): Location | undefined {
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const frame = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!frame?.[1]) continue;
    const file = frame[1].startsWith('file://') ? fileURLToPath(frame[1]) : frame[1];
    if (file.startsWith(OWN_DIR) || file.includes('/node_modules/')) continue;
    return { file, line: Number(frame[2]), column: Number(frame[3]) };
  }
  return undefined;
}

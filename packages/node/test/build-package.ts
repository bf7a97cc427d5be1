import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { packageRoot } from './spawn-app.js';

/** The child processes run dist/, so make sure it is current (tsc -b is a no-op when it is). */
export function buildPackage(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', packageRoot], { stdio: 'inherit' });
}

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: tests that run a package as its users do (child processes with
 * `--import @clicktrace/node/register`, the collector's CLI, README snippets importing the package
 * by name) run its dist/, so every package whose sources changed since its last build is built
 * first, dependencies before dependents. A current dist/ costs one directory walk.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PACKAGES = ['collector', 'node', 'web', 'playwright'].map((name) => join(ROOT, 'packages', name));
const BUNDLES_WORKSPACE_SOURCES = new Set(['node', 'web'].map((name) => join(ROOT, 'packages', name)));

export default function buildStalePackages(): void {
  const tsdown = join(dirname(createRequire(import.meta.url).resolve('tsdown/package.json')), 'dist/run.mjs');
  for (const dir of PACKAGES) {
    if (!isStale(dir)) continue;
    execFileSync(process.execPath, [tsdown, '--log-level', 'warn'], { cwd: dir, stdio: 'inherit' });
  }
}

function isStale(dir: string): boolean {
  const built = join(dir, 'dist', 'index.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const inputs = [
    join(dir, 'package.json'),
    join(dir, 'tsdown.config.ts'),
    ...filesUnder(join(dir, 'src')),
    // The private workspace packages it bundles from source (see BUNDLED_WORKSPACE).
    ...(BUNDLES_WORKSPACE_SOURCES.has(dir) ? filesUnder(join(ROOT, 'packages', 'export-queue', 'src')) : []),
    // What every build shares: the bundling plugin and the installed versions of what is bundled.
    join(ROOT, 'scripts', 'bundled-opentelemetry.ts'),
    join(ROOT, 'pnpm-lock.yaml'),
  ];
  return inputs.some((file) => statSync(file).mtimeMs > builtAt);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

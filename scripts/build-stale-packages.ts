import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_WORKSPACE } from './bundled-opentelemetry.ts';

/**
 * Vitest global setup: tests that run a package as its users do (child processes with
 * `--import @clicktrace/node/register`, the collector's CLI, README snippets importing the package
 * by name) run its dist/, so every package whose sources changed since its last build is built
 * first, dependencies before dependents. A current dist/ costs one directory walk.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PACKAGES = ['collector', 'node', 'web', 'playwright'].map((name) => join(ROOT, 'packages', name));

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
    // A package's own build scripts (the collector bundles its viewer with one).
    ...filesUnder(join(dir, 'scripts')),
    ...bundledWorkspaceInputs(dir),
    // What every build shares: the bundling plugin and the installed versions of what is bundled.
    join(ROOT, 'scripts', 'bundled-opentelemetry.ts'),
    join(ROOT, 'pnpm-lock.yaml'),
  ];
  return inputs.some((file) => statSync(file).mtimeMs > builtAt);
}

/** The manifests and sources of the private workspace packages (BUNDLED_WORKSPACE) that `dir` depends on and bundles. */
function bundledWorkspaceInputs(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    .filter((name) => BUNDLED_WORKSPACE.test(name))
    .flatMap((name) => {
      const workspace = join(ROOT, 'packages', name.slice(name.indexOf('/') + 1));
      return [join(workspace, 'package.json'), ...filesUnder(join(workspace, 'src'))];
    });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

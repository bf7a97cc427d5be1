// Gzip size of a minimal app (one click listener, one fetch, OTLP export) built by Vite for
// production, with clicktrace and with the hand-wired stock OpenTelemetry JS 3 setup, in one run.
//   cd bench && node bundle-size/run.mjs        (or: pnpm --filter @clicktrace/bench bundle-size)
// Environment:
//   NPM=1        also builds the hand-wired app against a plain `npm install` of the same package
//                versions, in a temporary directory outside the workspace. The workspace's pnpm
//                overrides resolve every @opentelemetry/core, instrumentation, sdk-trace… to one
//                version; a user's npm install does not (instrumentation-fetch 0.300 pins core 3.0.0
//                and instrumentation 0.300.0, instrumentation-user-interaction 0.67 depends on
//                core ^2, instrumentation ^0.223 and sdk-trace-web ^2), so this row is what a stock
//                user ships. Needs the npm registry; npm needs --legacy-peer-deps here, as a user
//                would (context-zone-peer-dep 2.12 declares its peer api as <1.10).
//   BREAKDOWN=1  per package, the bytes each contributed to the bundle as Vite rendered them
//                (before minification: an attribution, not a gzip figure).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const NPM = process.env.NPM === '1';
const BREAKDOWN = process.env.BREAKDOWN === '1';

async function measure(app, root = join(here, 'apps', app)) {
  const outDir = join(here, 'out', app.replaceAll(/[^a-z0-9-]+/g, '-'));
  const output = await build({ root, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const assets = join(outDir, 'assets');
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(assets).filter((name) => name.endsWith('.js'))) {
    const bytes = readFileSync(join(assets, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { app, raw, gzip, packages: renderedPerPackage(output) };
}

/** Rendered (pre-minification) bytes per package@version, from the build's module list. */
function renderedPerPackage(output) {
  const perPackage = new Map();
  for (const result of [output].flat()) {
    for (const chunk of result.output) {
      if (chunk.type !== 'chunk') continue;
      for (const [id, module] of Object.entries(chunk.modules)) {
        const name = packageOf(id);
        perPackage.set(name, (perPackage.get(name) ?? 0) + module.renderedLength);
      }
    }
  }
  return [...perPackage].sort((a, b) => b[1] - a[1]);
}

const versions = new Map();
/** "name@version" of the package a module belongs to (nested ones as "outer > inner@version"). */
function packageOf(id) {
  const path = id.replace(/^\0/, '').split('?')[0];
  const segments = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (segments.length === 0) {
    const workspace = /\/packages\/([^/]+)\//.exec(path);
    return workspace ? `packages/${workspace[1]} (workspace)` : 'app code, vite';
  }
  const last = segments.at(-1);
  const dir = path.slice(0, last.index + last[0].length);
  if (!versions.has(dir)) {
    try {
      versions.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version);
    } catch {
      versions.set(dir, '?');
    }
  }
  // pnpm's store path (node_modules/.pnpm/<name@version…>/node_modules/<name>) nests one level
  // that is not a dependency edge: drop it.
  const names = segments.map((m) => m[1]).filter((name) => name !== '.pnpm');
  const chain = path.includes('/.pnpm/') ? names.slice(-1) : names;
  return `${chain.join(' > ')}@${versions.get(dir)}`;
}

/**
 * The hand-wired app in a temporary directory with its imports installed by npm, at the versions
 * the workspace has (read from bench/node_modules), so only the resolution differs.
 */
function npmInstalledHandWired() {
  const app = join(here, 'apps', 'hand-wired');
  const source = readFileSync(join(app, 'main.ts'), 'utf8');
  const imports = new Set(
    [...source.matchAll(/^import\s+(?:[^'"]*\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]),
  );
  const dependencies = {};
  for (const name of imports) {
    const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0];
    const manifest = join(here, '..', 'node_modules', pkg, 'package.json');
    dependencies[pkg] = JSON.parse(readFileSync(manifest, 'utf8')).version;
  }
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-bundle-size-npm-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'hand-wired-npm', private: true, type: 'module', dependencies }, null, 2),
  );
  cpSync(app, join(dir, 'app'), { recursive: true });
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (npm.status !== 0) throw new Error(`npm install failed in ${dir}`);
  return { dir, root: join(dir, 'app'), dependencies };
}

const results = [];
let npmVersions;
for (const app of ['hand-wired', 'clicktrace']) results.push(await measure(app));
if (NPM) {
  const installed = npmInstalledHandWired();
  try {
    results.push(await measure('hand-wired, npm install', installed.root));
  } finally {
    rmSync(installed.dir, { recursive: true, force: true });
  }
  npmVersions = Object.entries(installed.dependencies).map(([name, version]) => `${name}@${version}`);
}
const [stock, ours] = results;
const rows = results.map(
  (r) => `| ${r.app} | ${r.raw.toLocaleString('en')} | ${r.gzip.toLocaleString('en')} |`,
);
const lines = [
  `Vite ${(await import('vite')).version}, Node ${process.version}`,
  '',
  '| app | minified JS (B) | gzip -9 (B) |',
  '| --- | ---: | ---: |',
  ...rows,
  '',
  `clicktrace / hand-wired (gzip): ${(ours.gzip / stock.gzip).toFixed(3)}`,
];
const npmResult = results.find((r) => r.app === 'hand-wired, npm install');
if (npmResult) {
  lines.push(`clicktrace / hand-wired, npm install (gzip): ${(ours.gzip / npmResult.gzip).toFixed(3)}`);
  lines.push('', `npm install --legacy-peer-deps ${npmVersions.join(' ')}`);
}
if (BREAKDOWN) {
  for (const r of results) {
    lines.push('', `${r.app}: rendered bytes per package (before minification)`, '');
    for (const [name, bytes] of r.packages) lines.push(`  ${String(bytes).padStart(7)}  ${name}`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);

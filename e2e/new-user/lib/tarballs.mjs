// The four packages as they would be published: `pnpm pack` rewrites `workspace:` and `catalog:`
// specifiers the way `pnpm publish` does, so the tarballs are what a user would download.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { run } from './commands.mjs';

export const PACKAGES = ['collector', 'web', 'node', 'playwright'];

/**
 * Packs every package into `destination`. Resolves with `{ ok, note, tarballs }`, where
 * `tarballs` maps a short name (`web`) to the .tgz path.
 */
export async function packAll({ repo, pnpm, destination, env }) {
  const results = await Promise.all(
    PACKAGES.map((name) =>
      run('npx', ['-y', pnpm, 'pack', '--pack-destination', destination], {
        cwd: join(repo, 'packages', name),
        env,
        quiet: true,
      }),
    ),
  );
  const failed = results.findIndex((result) => result.code !== 0);
  if (failed >= 0)
    return { ok: false, note: `pack of ${PACKAGES[failed]} failed:\n${results[failed].output}` };

  const files = readdirSync(destination).filter((file) => file.endsWith('.tgz'));
  const tarballs = {};
  const problems = [];
  for (const name of PACKAGES) {
    const file = files.find((candidate) => candidate.startsWith(`clicktrace-${name}-`));
    if (!file) {
      problems.push(`no tarball for @clicktrace/${name}`);
      continue;
    }
    tarballs[name] = join(destination, file);
    problems.push(...problemsOf(readTarball(tarballs[name])));
  }
  return {
    ok: problems.length === 0,
    note: problems.join('; ') || Object.values(tarballs).join(', '),
    tarballs,
  };
}

/** What would make a published package unusable: unrewritten specifiers, no build output. */
function problemsOf(contents) {
  const manifest = JSON.parse(contents.get('package/package.json')?.toString('utf8') ?? '{}');
  const problems = [];
  const specs = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
  for (const [dep, spec] of Object.entries(specs)) {
    if (/^(workspace|catalog):/.test(spec))
      problems.push(`${manifest.name}: ${dep}@${spec} left unrewritten`);
  }
  if (![...contents.keys()].some((path) => path.startsWith('package/dist/'))) {
    problems.push(`${manifest.name}: no dist/ in the tarball (not built?)`);
  }
  return problems;
}

/** The files of a .tgz, by path: a small ustar reader, enough for npm/pnpm tarballs. */
function readTarball(file) {
  const bytes = gunzipSync(readFileSync(file));
  const files = new Map();
  for (let at = 0; at + 512 <= bytes.length; ) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (from, to) => header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
    const prefix = text(345, 500);
    const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    const size = Number.parseInt(text(124, 136).trim() || '0', 8);
    files.set(name, bytes.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

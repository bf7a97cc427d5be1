// One lane per Node.js major version: its binary (from the npm registry's `node` package, through
// npx, as scripts/setup.sh gets it) first on PATH, so `npm`, `npx`, `node` and everything the
// consumer projects start run on it.

import { tmpdir } from 'node:os';
import { delimiter, dirname } from 'node:path';
import { run } from './commands.mjs';

/** The path of a Node.js binary of that major version. */
export async function nodeBinary(major) {
  const { code, stdout, output } = await run('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], {
    cwd: tmpdir(),
    quiet: true,
  });
  const path = stdout.trim().split('\n').at(-1);
  if (code !== 0 || !path) throw new Error(`could not get Node ${major} through npx:\n${output}`);
  return path;
}

// npm settings a user may rely on (a mirror, a cache); every other npm_* variable comes from the
// tool that started this script (`pnpm run` sets dozens) and would change how npm behaves.
const KEPT_NPM_VARIABLES = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);

/**
 * The environment of a consumer project: that Node first on PATH, and nothing of the caller's
 * tracing setup (OTEL_*, NODE_OPTIONS) or ports (the projects' configs pick free ones), so each
 * project runs as it would on a developer's machine.
 */
export function laneEnv(nodeBin) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(OTEL_|CLICKTRACE_)/.test(key) || ['NODE_OPTIONS', 'API_PORT', 'WEB_PORT'].includes(key)) continue;
    if (/^npm_/i.test(key) && !KEPT_NPM_VARIABLES.has(key.toLowerCase())) continue;
    env[key] = value;
  }
  env.PATH = `${dirname(nodeBin)}${delimiter}${process.env.PATH}`;
  return env;
}

/** `{ ok, note }`: whether `node` and `npm` in that environment are the lane's. */
export async function checkLane({ major, env, label }) {
  const node = await run('node', ['-p', 'process.version'], { cwd: tmpdir(), env, lane: label, quiet: true });
  const npm = await run('npm', ['--version'], { cwd: tmpdir(), env, lane: label, quiet: true });
  const version = node.stdout.trim();
  const note = `node ${version}, npm ${npm.stdout.trim()}`;
  return { ok: node.code === 0 && npm.code === 0 && version.startsWith(`v${major}.`), note };
}

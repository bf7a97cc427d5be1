// npm as a user runs it: plain `npm install` (never --force or --legacy-peer-deps), and after each
// install `npm ls --all`, which is where an unmet peer shows up: npm 7+ installs peers itself and
// only warns, so a clean exit code alone would hide a peer range that does not fit.
import { run } from './commands.mjs';

/**
 * `npm install <args>` in the project's folder. Resolves with `{ ok, note, warnings }`: `warnings` are npm's
 * `npm warn` lines (deduplicated), which a user sees too. An ERESOLVE warning fails the install:
 * it means npm had to override a peer range to get through.
 */
export async function npmInstall(args, { dir, env, lane }) {
  const { code, output } = await run('npm', ['install', '--no-audit', '--no-fund', ...args], {
    cwd: dir,
    env,
    lane,
    timeoutMs: 600_000,
  });
  const warnings = [...new Set(output.split('\n').filter((line) => /^npm warn /i.test(line)))];
  const eresolve = warnings.filter((line) => line.includes('ERESOLVE'));
  if (code !== 0) return { ok: false, note: `npm install ${args.join(' ')} exited ${code}`, warnings };
  if (eresolve.length > 0)
    return { ok: false, note: `npm overrode a peer range:\n${eresolve.join('\n')}`, warnings };
  const added = /added (\d+) packages?/.exec(output)?.[1];
  return { ok: true, note: added ? `added ${added} packages` : '', warnings };
}

/**
 * `npm ls --all --json`: resolves with `{ ok, note }`, the note listing every invalid, missing or
 * extraneous package (peers included) that npm reports, one a line.
 */
export async function npmLs({ dir, env, lane }) {
  const { code, stdout, output } = await run('npm', ['ls', '--all', '--json'], {
    cwd: dir,
    env,
    lane,
    quiet: true,
  });
  let tree;
  try {
    tree = JSON.parse(stdout);
  } catch {
    return { ok: false, note: `npm ls --all --json printed no JSON (exit ${code}):\n${output}` };
  }
  // npm lists every problem at the top; the flags on the tree's nodes are the fallback.
  const problems = tree.problems?.length ? tree.problems : flagged(tree);
  if (code !== 0 || problems.length > 0) {
    return {
      ok: false,
      note: `npm ls --all (exit ${code}) reports:\n${[...new Set(problems)].join('\n') || output}`,
    };
  }
  return { ok: true, note: 'npm ls --all: no invalid, missing or extraneous package' };
}

/** The nodes of the JSON tree that npm marks as a problem. */
function flagged(node, path = []) {
  const found = [];
  for (const [name, child] of Object.entries(node.dependencies ?? {})) {
    const at = [...path, name].join(' > ');
    for (const flag of ['invalid', 'missing', 'extraneous', 'peerMissing']) {
      if (child[flag]) found.push(`${flag}: ${at}@${child.version ?? child.required ?? '?'}`);
    }
    found.push(...flagged(child, [...path, name]));
  }
  return found;
}

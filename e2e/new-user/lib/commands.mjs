// Child processes for the check: each command streams its output (indented, prefixed with the
// lane it belongs to, since Node 22 and Node 24 lanes may run side by side) and is collected for
// the assertions. Every child gets its own process group, so a timeout, Ctrl-C or the end of the
// run stops it together with whatever it started (vite, the collector, Chromium).
import { spawn } from 'node:child_process';

const children = new Set();

/** Writes to the check's own log, each line prefixed (`[new-user node22]`). */
export function log(text, lane = '') {
  const prefix = `[new-user${lane ? ` ${lane}` : ''}]`;
  process.stdout.write(`${String(text).replace(/^/gm, `${prefix} `)}\n`);
}

/**
 * Runs a command; resolves with `{ code, output, stdout }` (`output`: stdout and stderr as they
 * came), never rejects.
 * `timeoutMs` is a safety net for a hung command, not a limit any test relies on.
 */
export function run(
  command,
  args,
  { cwd, env = process.env, lane = '', timeoutMs = 300_000, quiet = false } = {},
) {
  // Never default to this script's own folder: an `npm install` there would act on the repository.
  if (!cwd) throw new Error(`run ${command}: no cwd given`);
  return new Promise((done) => {
    log(`$ ${[command, ...args].join(' ')}   (in ${cwd})`, lane);
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    const indent = `    ${lane ? `${lane} ` : ''}`;
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
    });
    const take = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (!quiet) process.stdout.write(text.replace(/^(?=.)/gm, indent));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      output += `\n[new-user] timed out after ${timeoutMs / 1000} s: killed\n`;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      output += `\n${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      done({ code: code ?? (signal ? 128 : 1), output, stdout });
    });
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** Stops every child still running (their whole process groups). */
export function stopAll() {
  for (const child of children) killGroup(child);
}

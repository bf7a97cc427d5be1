import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const packageRoot = fileURLToPath(new URL('../', import.meta.url));
export const registerEsm = `${packageRoot}dist/register.js`;
export const registerCjs = `${packageRoot}register.cjs`;

/** The absolute path of a file in test/fixtures. */
export function fixturePath(name: string): string {
  return `${fixtures}${name}`;
}

export interface App {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit; resolves with how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a fixture (a file of test/fixtures, or an absolute path) in a real child `node` with only the given env (plus PATH), waits for the port it
 * prints, and gives it back. OTEL_* from the test runner's own environment must not leak in.
 */
export async function spawnApp(
  nodeArgs: string[],
  fixture: string,
  env: Record<string, string>,
): Promise<App> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, isAbsolute(fixture) ? fixture : `${fixtures}${fixture}`],
    {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`${fixture} exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code, signal] = await exited;
      return { code, signal };
    },
  };
}

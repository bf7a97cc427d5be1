import { execFileSync } from 'node:child_process';

/**
 * A free TCP port on 127.0.0.1 for a `webServer`, the same in Playwright's runner and in
 * every worker.
 *
 * Playwright evaluates its config synchronously, in the runner and again in each worker, so
 * the port cannot come from an async `listen(0)`: a short child process binds port 0, prints
 * what it got and exits. The answer is pinned in the environment variable `envName`, which
 * workers inherit, so every process agrees on it; a value already set there is used as is.
 *
 * @example
 * const apiPort = freePort('API_PORT');
 * export default defineConfig({ webServer: [{ command: 'node api.js', port: apiPort, env: { PORT: String(apiPort) } }] });
 */
export function freePort(envName: string): number {
  const pinned = Number(process.env[envName]);
  if (Number.isInteger(pinned) && pinned > 0) return pinned;
  const script =
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const port = Number(out.trim());
  if (!Number.isInteger(port) || port <= 0)
    throw new Error(`clicktrace: could not find a free port (got "${out}")`);
  process.env[envName] = String(port);
  return port;
}

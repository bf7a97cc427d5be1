import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, USAGE } from '../src/cli-args.js';
import { startCollector } from '../src/index.js';

describe('parseCliArgs', () => {
  it('reads port, host, max-spans and settle-ms', () => {
    expect(
      parseCliArgs(['--port', '0', '--host', '0.0.0.0', '--max-spans', '500', '--settle-ms', '250']),
    ).toEqual({
      help: false,
      options: { port: 0, host: '0.0.0.0', maxSpans: 500, settleMs: 250 },
    });
    expect(parseCliArgs([])).toEqual({ help: false, options: {} });
    expect(parseCliArgs(['--help'])).toEqual({ help: true });
    expect(USAGE).toContain('--max-spans');
  });

  it.each([
    [['--port', 'abc'], /--port must be an integer from 0 to 65535, got "abc"/],
    [['--port', '70000'], /--port must be an integer/],
    [['--max-spans', '0'], /--max-spans must be an integer from 1/],
    [['--settle-ms', '1.5'], /--settle-ms must be an integer from 0/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

// The built CLI, as users run it (the global setup builds dist/ first).
const bin = fileURLToPath(new URL('../bin/clicktrace-collector.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, output: () => ({ stdout, stderr }) };
}

describe('clicktrace-collector (built)', () => {
  it('prints where it listens, serves, and exits 0 on SIGTERM', async () => {
    const cli = run(['--port', '0']);
    await expect.poll(() => cli.output().stdout, { timeout: 5000 }).toMatch(/listening/);
    const match = /^clicktrace collector listening on (http:\/\/127\.0\.0\.1:\d+) \(viewer: \1\/\)\n$/.exec(
      cli.output().stdout,
    );
    expect(match).not.toBeNull();
    expect(await (await fetch(`${match?.[1]}/health`)).text()).toBe('ok');
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('exits 1 with a clear message when the port is in use', async () => {
    const taken = await startCollector({ port: 0 });
    try {
      const cli = run(['--port', String(taken.port)]);
      expect(await cli.exit).toBe(1);
      expect(cli.output().stderr).toContain(`port ${taken.port} on 127.0.0.1 is already in use`);
    } finally {
      await taken.close();
    }
  });

  it('exits 1 on a bad flag and 0 on --help', async () => {
    const bad = run(['--port', 'x']);
    expect(await bad.exit).toBe(1);
    expect(bad.output().stderr).toContain('--port must be an integer');
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.output().stdout).toContain('Usage: clicktrace-collector');
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeBlockFor } from '../../../scripts/readme-block.mjs';

// The README's quick start is examples/quick-start.mjs, verbatim, and both are run here as a user would.
const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const readme = readFileSync(`${packageRoot}README.md`, 'utf8');
const example = 'examples/quick-start.mjs';

/** Fails with a line diff against the README block that starts like the file, when they differ. */
function expectReadmeToContain(file: string): void {
  const source = readFileSync(`${packageRoot}${file}`, 'utf8').trim();
  const message = `README.md must show ${file} verbatim in a code block: copy the file into it`;
  expect(readmeBlockFor(readme, source), message).toBe(source);
}

function run(args: string[]) {
  const child = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exit, output: () => ({ stdout, stderr }) };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('README quick start', () => {
  it(`shows ${example} verbatim`, () => {
    expectReadmeToContain(example);
  });

  it(`${example} runs as pasted: prints where to send OTLP, the trace it received, and exits 0`, async () => {
    const quickStart = run([example]);
    const code = await quickStart.exit;
    const { stdout, stderr } = quickStart.output();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^send OTLP\/HTTP to (http:\/\/127\.0\.0\.1:\d+)\/v1\/traces, see traces at \1\/\n/,
    );
    expect(stdout.split('\n').slice(1)).toEqual([
      'trace 4bf92f3577b34da6a3ce929d0e0e4736: 1 span(s), 12 ms',
      '  SERVER GET /api/items (shop-api)',
      '',
    ]);
    // What the README says it prints, but for the port it got.
    const printed = /^It prints:\n\n```\n([\s\S]*?)^```$/m.exec(readme)?.[1];
    const anyPort = (text: string | undefined) => text?.replaceAll(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
    expect(anyPort(printed), 'the README\'s "It prints:" block must be what the example prints').toBe(
      anyPort(stdout),
    );
  });

  it('prints the line the README shows for `npx clicktrace-collector --port N`', async () => {
    const shown = /^npx clicktrace-collector --port (\d+)\n# (.+)$/m.exec(readme);
    expect(
      shown,
      'README.md must show `npx clicktrace-collector --port N` and, below it, `# <what it prints>`',
    ).not.toBeNull();
    const [, readmePort = '', readmeLine = ''] = shown ?? [];
    // The README's port may be taken on this machine: run on a free one and expect the same line with it.
    const port = await freePort();
    const cli = run(['bin/clicktrace-collector.js', '--port', String(port)]);
    try {
      await expect.poll(() => cli.output().stdout, { timeout: 5000 }).toContain('\n');
      expect(cli.output().stdout).toBe(`${readmeLine.replaceAll(`:${readmePort}`, `:${port}`)}\n`);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exit).toBe(0);
  });
});

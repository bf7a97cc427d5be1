/**
 * Entry point of `clicktrace-collector` (bin/clicktrace-collector.js imports the built file).
 * Starts the collector, prints where it listens, and closes it on SIGINT/SIGTERM.
 */
import { CliUsageError, parseCliArgs, USAGE } from './cli-args.js';
import { startCollector } from './start-collector.js';

async function main(): Promise<number> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    // biome-ignore lint/suspicious/noConsole: CLI output
    console.error(`clicktrace-collector: ${error.message}\nRun clicktrace-collector --help for usage.`);
    return 1;
  }
  if (command.help) {
    // biome-ignore lint/suspicious/noConsole: CLI output
    console.log(USAGE);
    return 0;
  }
  const { port = 4318, host = '127.0.0.1' } = command.options;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector(command.options);
  } catch (error) {
    // biome-ignore lint/suspicious/noConsole: CLI output
    console.error(`clicktrace-collector: ${listenFailure(error, host, port)}`);
    return 1;
  }
  // biome-ignore lint/suspicious/noConsole: CLI output
  console.log(`clicktrace collector listening on ${collector.url} (viewer: ${collector.url}/)`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await collector.close();
  return 0;
}

function listenFailure(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `port ${port} on ${host} is already in use (is another collector running?)`;
  if (code === 'EACCES') return `not allowed to listen on ${host}:${port}`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return `cannot listen on host ${host}: no such interface`;
  return error instanceof Error ? error.message : String(error);
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    // biome-ignore lint/suspicious/noConsole: CLI output
    console.error(error);
    process.exitCode = 1;
  },
);

/**
 * Command-line flags of `clicktrace-collector`, parsed apart from the entry point so they
 * can be tested without starting a process.
 */
import { parseArgs } from 'node:util';
import type { CollectorOptions } from './start-collector.js';

export const USAGE = `Usage: clicktrace-collector [--port N] [--host H] [--max-spans N]

An OTLP/HTTP trace receiver with a waterfall viewer, for development and tests.

Options:
  --port N        port to listen on (default 4318; 0 picks a free port)
  --host H        interface to listen on (default 127.0.0.1)
  --max-spans N   spans kept in memory; oldest traces are evicted past it (default 100000)
  --settle-ms N   how long a request waits for its server's span before the server counts as
                  not traced, in the breaks of /api/breaks (default 6000)
  -h, --help      show this help

Send traces to http://HOST:PORT/v1/traces (JSON or protobuf); open http://HOST:PORT/ to view them.`;

/** A flag the user got wrong; the message says which and how. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export type CliCommand = { help: true } | { help: false; options: CollectorOptions };

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values: { port?: string; host?: string; 'max-spans'?: string; 'settle-ms'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'max-spans': { type: 'string' },
        'settle-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  const options: CollectorOptions = {};
  if (values.port !== undefined) options.port = integerFlag('--port', values.port, 0, 65535);
  if (values.host !== undefined) {
    if (values.host.trim() === '') throw new CliUsageError('--host must not be empty');
    options.host = values.host;
  }
  if (values['settle-ms'] !== undefined) {
    options.settleMs = integerFlag('--settle-ms', values['settle-ms'], 0, 3_600_000);
  }
  if (values['max-spans'] !== undefined) {
    options.maxSpans = integerFlag('--max-spans', values['max-spans'], 1, Number.MAX_SAFE_INTEGER);
  }
  return { help: false, options };
}

function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliUsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

import { type DiagLogger, diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * The `diag` errors of the calling test file, as a list emptied after each test: installs a diag
 * logger for the file's tests and removes it after them. Call it at the top of a test file.
 */
export function captureDiagErrors(): string[] {
  const errors: string[] = [];
  beforeAll(() => {
    const ignore = () => {};
    const logger: DiagLogger = {
      error: (message: string) => void errors.push(message),
      warn: ignore,
      info: ignore,
      debug: ignore,
      verbose: ignore,
    };
    diag.setLogger(logger, { suppressOverrideMessage: true });
  });
  afterEach(() => {
    errors.length = 0;
  });
  afterAll(() => {
    diag.disable();
  });
  return errors;
}

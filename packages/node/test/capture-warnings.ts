import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/** Routes `diag` warnings and errors into the returned list (lower levels are dropped) until `diag.disable()`. */
export function captureWarnings(): string[] {
  const warnings: string[] = [];
  const ignore = () => {};
  const logger: DiagLogger = {
    error: (message) => warnings.push(message),
    warn: (message) => warnings.push(message),
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return warnings;
}

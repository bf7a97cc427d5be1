import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/** Routes `diag` warnings into the returned list (other levels are dropped) until `diag.disable()`. */
export function captureWarnings(): string[] {
  const warnings: string[] = [];
  const ignore = () => {};
  const logger: DiagLogger = {
    error: ignore,
    warn: (message) => warnings.push(message),
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return warnings;
}

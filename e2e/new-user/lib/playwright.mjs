// Running a consumer project's Playwright tests, and reading the outcome from its list reporter.
import { run } from './commands.mjs';

/** `npx playwright test <files>` in the project, with extra environment variables. */
export function playwrightTest(project, files, env = {}) {
  return run('npx', ['playwright', 'test', ...files], {
    cwd: project.dir,
    env: { ...project.env, ...env },
    lane: project.lane,
    timeoutMs: 300_000,
  });
}

/** `{ ok, note }`: ok when Playwright exited 0 with exactly `count` tests passed. */
export function passed({ code, output }, count) {
  const ok = code === 0 && new RegExp(`\\b${count} passed\\b`).test(output);
  if (ok) return { ok, note: `${count} passed` };
  return { ok, note: `playwright exited ${code}, not "${count} passed"${failureExcerpt(output)}` };
}

/**
 * The lines that say why a run failed (failed test titles, errors, expected/received), for the
 * summary; the whole output is in the log above it.
 */
export function failureExcerpt(output) {
  const lines = output
    .split('\n')
    .filter((line) => /^\s*(✘|\d+\) |Error|Expected|Received|- the|\[shop-api\].*(error|warn))/i.test(line))
    .map((line) => line.trim())
    .slice(0, 12);
  return lines.length > 0 ? `:\n${lines.join('\n')}` : '';
}

// The end of the log: scenario x Node version, pass/fail and time, then why each failure
// failed, then what npm warned about (a user sees those too).
import { log } from './commands.mjs';

/**
 * `results` maps `${scenario.name}@${major}` to `{ ok, seconds, installSeconds, steps, warnings }`;
 * a missing entry is a scenario that never ran (a lane that stopped early).
 */
export function printSummary({ preflight, scenarios, majors, results, seconds }) {
  log('');
  log('Summary');
  for (const entry of preflight)
    log(
      `  ${entry.ok ? 'PASS' : 'FAIL'}  ${entry.name} (${entry.seconds} s)${entry.ok ? '' : `\n${indent(entry.note)}`}`,
    );

  const width = Math.max(...scenarios.map((scenario) => scenario.title.length)) + 2;
  const cellWidth = 28;
  log('');
  log(`  ${'scenario'.padEnd(width)}${majors.map((major) => `Node ${major}`.padEnd(cellWidth)).join('')}`);
  for (const scenario of scenarios) {
    const cells = majors.map((major) => cell(results.get(`${scenario.name}@${major}`)).padEnd(cellWidth));
    log(`  ${scenario.title.padEnd(width)}${cells.join('')}`);
  }

  for (const scenario of scenarios) {
    for (const major of majors) {
      const result = results.get(`${scenario.name}@${major}`);
      if (result?.ok) continue;
      log('');
      log(`  FAIL  ${scenario.name} on Node ${major}`);
      for (const step of result?.steps.filter((candidate) => !candidate.ok) ?? []) {
        log(`    ${step.name} (${step.seconds} s)`);
        log(indent(step.note, 8));
      }
      if (!result) log('    did not run');
    }
  }

  const warned = scenarios
    .map((scenario) => [
      scenario.name,
      [...new Set(majors.flatMap((major) => results.get(`${scenario.name}@${major}`)?.warnings ?? []))],
    ])
    .filter(([, warnings]) => warnings.length > 0);
  if (warned.length > 0) {
    log('');
    log('  npm warnings during the installs (not failures):');
    for (const [name, warnings] of warned) {
      log(`    ${name}:`);
      for (const warning of warnings) log(`      ${warning}`);
    }
  }

  const ok =
    preflight.every((entry) => entry.ok) &&
    scenarios.every((scenario) => majors.every((major) => results.get(`${scenario.name}@${major}`)?.ok));
  log('');
  log(`${ok ? 'PASS' : 'FAIL'}: consumer check, ${seconds} s in all`);
  return ok;
}

function cell(result) {
  if (!result) return 'not run';
  const install = result.installSeconds > 0 ? ` (install ${result.installSeconds.toFixed(1)})` : '';
  return `${result.ok ? 'PASS' : 'FAIL'} ${result.seconds.toFixed(1)} s${install}`;
}

function indent(text, spaces = 10) {
  return String(text)
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');
}

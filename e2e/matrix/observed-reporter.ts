import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

interface ObservedCell {
  path: string;
  mode: string;
  plugin: string | null;
  observed: string;
}

/**
 * Prints what the matrix actually saw, path x mode, after the run (and writes it to
 * `test-results/observed.md` next to the suite): the table docs/async-context.md promises,
 * as measured. Cells come from the `observed` annotation of async-paths.spec.ts.
 */
export default class ObservedReporter implements Reporter {
  private readonly cells: ObservedCell[] = [];
  private outputDir = 'test-results';

  onBegin(config: FullConfig): void {
    this.outputDir = config.projects[0]?.outputDir ?? this.outputDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    for (const annotation of [...test.annotations, ...(result.annotations ?? [])]) {
      if (annotation.type !== 'observed' || !annotation.description) continue;
      this.cells.push(JSON.parse(annotation.description) as ObservedCell);
      return;
    }
  }

  onEnd(): void {
    if (this.cells.length === 0) return;
    const modes = [...new Set(this.cells.map((cell) => cell.mode))];
    const paths = [...new Set(this.cells.map((cell) => cell.path))];
    const plugin = (mode: string) => this.cells.find((cell) => cell.mode === mode)?.plugin ?? '?';
    const lines = [
      `| path | ${modes.map((mode) => `${mode} (plugin ${plugin(mode)})`).join(' | ')} |`,
      `| --- | ${modes.map(() => '---').join(' | ')} |`,
      ...paths.map((path) => {
        const row = modes.map(
          (mode) => this.cells.find((cell) => cell.path === path && cell.mode === mode)?.observed ?? '',
        );
        return `| ${path} | ${row.join(' | ')} |`;
      }),
    ];
    const table = lines.join('\n');
    process.stdout.write(`\nObserved async-context matrix:\n${table}\n`);
    try {
      writeFileSync(join(this.outputDir, 'observed.md'), `${table}\n`);
    } catch {
      // The output directory may not exist when no test wrote anything: the printout is enough.
    }
  }
}

// The READMEs' code, checked where it matters: every `import { … } from '@clicktrace/…'` in a code
// block of packages/*/README.md must resolve, with every name, in an installed project. Runs in
// the express-api project, which has all four packages.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lib/commands.mjs';
import { readmeImports, readmeImportsScript } from '../lib/readme.mjs';

export default {
  name: 'readme-imports',
  title: 'README imports resolve (express-api project)',
  inFolderOf: 'express-api',

  steps: [
    {
      name: "every import { … } from '@clicktrace/…' in the READMEs resolves",
      run: async (project) => {
        const imports = readmeImports(project.repo);
        writeFileSync(join(project.dir, 'readme-imports.mjs'), readmeImportsScript(imports));
        const { code, output } = await run('node', ['readme-imports.mjs'], {
          cwd: project.dir,
          env: project.env,
          lane: project.lane,
        });
        const lines = output.trim().split('\n');
        return { ok: code === 0, note: code === 0 ? lines[0] : lines.join('\n') };
      },
    },
  ],
};

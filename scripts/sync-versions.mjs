// After `changeset version`: writes each SDK's package.json version into its src/version.ts (the
// version instrumentations report as their scope version). test/version.test.ts checks they agree.
import { readFileSync, writeFileSync } from 'node:fs';

for (const name of ['node', 'web']) {
  const { version } = JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'));
  const file = `packages/${name}/src/version.ts`;
  const source = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    source.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`),
  );
}

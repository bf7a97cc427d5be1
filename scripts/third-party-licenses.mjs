// After a package's build: writes dist/THIRD_PARTY_LICENSES.md, the licence of every package whose
// code the bundle carries (the OpenTelemetry SDK code @clicktrace/web and @clicktrace/node bundle,
// and what that code bundles in turn). Their licences (Apache-2.0, MIT) ask that the licence text
// travel with redistributed code. Found from the bundler's source comments, which name the
// file each piece of code came from. Run from the package's folder: `node ../../scripts/third-party-licenses.mjs`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_COMMENT = /^\/\/ (?:\.\.\/)+node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm;

const packageDirs = new Map(); // name -> the folder its bundled code came from
for (const file of readdirSync('dist').filter((name) => name.endsWith('.js'))) {
  const code = readFileSync(join('dist', file), 'utf8');
  for (const match of code.matchAll(SOURCE_COMMENT)) {
    const dir = match[0].slice(3, match[0].length - 1).replace(/^(\.\.\/)+/, '../../');
    packageDirs.set(match[1], dir);
  }
}

const sections = [...packageDirs.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license'].find((candidate) =>
      existsSync(join(dir, candidate)),
    );
    if (file === undefined)
      throw new Error(`${name}@${version}: no licence file to ship with its bundled code`);
    return `## ${name}@${version} (${license})\n\n\`\`\`\n${readFileSync(join(dir, file), 'utf8').trim()}\n\`\`\`\n`;
  });

const name = JSON.parse(readFileSync('package.json', 'utf8')).name;
writeFileSync(
  join('dist', 'THIRD_PARTY_LICENSES.md'),
  `# Third-party code in ${name}\n\nThis package's build bundles code of the packages below, under their licences.\n\n${sections.join('\n')}`,
);
process.stdout.write(`${name}: dist/THIRD_PARTY_LICENSES.md lists ${sections.length} bundled packages\n`);

// The packages' READMEs as a new user reads them: their `npm install` lines are what the projects
// run, and every `import { … } from '@clicktrace/…'` in their code blocks (and in the docs/ pages
// they link to) must resolve in an installed project. So docs that drift from the packages fail.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGES } from './tarballs.mjs';

const readme = (repo, name) => readFileSync(join(repo, 'packages', name, 'README.md'), 'utf8');

/**
 * The arguments of the first `npm install` line of packages/<name>/README.md, with each
 * `@clicktrace/<x>` replaced by its tarball. @clicktrace/collector is not on the registry, so its
 * tarball goes along with @clicktrace/playwright, which depends on it.
 */
export function readmeInstallArgs(repo, name, tarballs) {
  const line = /^npm install (.+)$/m.exec(readme(repo, name))?.[1];
  if (!line) throw new Error(`packages/${name}/README.md has no \`npm install\` line`);
  return line
    .trim()
    .split(/\s+/)
    .flatMap((arg) => {
      const own = /^@clicktrace\/([a-z-]+)(?:@.*)?$/.exec(arg)?.[1];
      if (!own) return [arg];
      if (!tarballs[own])
        throw new Error(`packages/${name}/README.md installs @clicktrace/${own}, which is not packed`);
      return own === 'playwright' ? [tarballs.playwright, tarballs.collector] : [tarballs[own]];
    });
}

/**
 * Every named import of a @clicktrace package in the code blocks of the packages' READMEs and of
 * the pages under their docs/ (which the READMEs link to).
 */
export function readmeImports(repo) {
  const imports = [];
  for (const name of PACKAGES) {
    for (const page of docPages(repo, name)) {
      const text = readFileSync(join(repo, page), 'utf8');
      for (const block of text.matchAll(/^```(?:js|mjs|ts|tsx|jsx)\n([\s\S]*?)^```/gm)) {
        for (const match of block[1].matchAll(/import\s+\{([^}]*)\}\s+from\s+'(@clicktrace\/[^']+)'/g)) {
          const names = match[1]
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part && !part.startsWith('type '))
            .map((part) => part.split(/\s+as\s+/)[0]);
          imports.push({
            readme: page,
            statement: match[0].replace(/\s+/g, ' '),
            specifier: match[2],
            names,
          });
        }
      }
    }
  }
  return imports;
}

/** packages/<name>/README.md and packages/<name>/docs/*.md, relative to the repository. */
function docPages(repo, name) {
  const docs = join(repo, 'packages', name, 'docs');
  const pages = existsSync(docs) ? readdirSync(docs).filter((file) => file.endsWith('.md')) : [];
  return [`packages/${name}/README.md`, ...pages.map((file) => `packages/${name}/docs/${file}`)];
}

/**
 * A script for the installed project that imports each README import and names the ones that
 * fail, with what the module does export. Exits 1 when any fails.
 */
export function readmeImportsScript(imports) {
  return `// Written by e2e/new-user: does every import the READMEs show resolve in this project?
const imports = ${JSON.stringify(imports, null, 2)};
const problems = [];
for (const { readme, statement, specifier, names } of imports) {
  let module;
  try {
    module = await import(specifier);
  } catch (error) {
    problems.push(\`\${readme}: \${statement}\\n    cannot be imported: \${error.message}\`);
    continue;
  }
  const missing = names.filter((name) => !(name in module));
  if (missing.length > 0) {
    const has = Object.keys(module).join(', ');
    problems.push(\`\${readme}: \${statement}\\n    '\${specifier}' has no export \${missing.join(', ')} (it exports: \${has})\`);
  }
}
console.log(\`\${imports.length} README imports checked, \${problems.length} fail\`);
for (const problem of problems) console.log(problem);
process.exitCode = problems.length === 0 ? 0 : 1; // not process.exit(): it may cut the piped output short
`;
}

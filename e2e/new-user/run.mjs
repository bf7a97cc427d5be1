#!/usr/bin/env node
// clicktrace, tried the way its users would try it: the four packages packed with pnpm (as they
// would be published), then installed with plain `npm install` into fresh consumer projects, one
// folder per scenario and Node version (22 and 24), each asserting one click's trace by ids:
//
//   express-api        a fresh Express API (register) and a Vite page; also the README test,
//                      a broken propagateTo that must fail naming the break, two parallel tests
//   readme-imports     every import the READMEs show resolves (in express-api's project)
//   react-spa          a fresh Vite + React SPA, each package installed with its README's line
//   otel3-api          an Express API on OpenTelemetry JS 3: NodeSDK + auto-instrumentations +
//                      withClicktrace; exactly one SERVER span
//   otel2-project      api 1.9.1 + sdk-node 0.223: installs, register traces, withClicktrace
//                      traces or says which line it supports
//   document-load-spa  api@latest + the stock document-load instrumentation via `instrumentations`
//
// After every `npm install`, `npm ls --all` must report no invalid, missing or extraneous package.
// Plain Node, no dependencies. Environment:
//   SKIP_BUILD=1          skip `pnpm run build` (the packages are built already)
//   NODES=24              only these Node majors (default 22,24)
//   SCENARIOS=otel3-api   only these scenarios (readme-imports needs express-api)
//   PARALLEL=1            run the Node lanes side by side (faster; both share the 2 cores)
//   KEEP=1                keep the temp folder (its path is printed)
//   REPO=<dir>            pack another checkout of this repository
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { log, run, stopAll } from './lib/commands.mjs';
import { checkLane, laneEnv, nodeBinary } from './lib/lanes.mjs';
import { npmInstall, npmLs } from './lib/npm.mjs';
import { printSummary } from './lib/summary.mjs';
import { packAll } from './lib/tarballs.mjs';
import { scenarios as allScenarios } from './scenarios/index.mjs';

const REPO = resolve(process.env.REPO ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const PNPM = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).packageManager;
const KEEP = process.env.KEEP === '1';
const MAJORS = (process.env.NODES ?? '22,24').split(',').map((major) => major.trim());
const SCENARIOS = selectScenarios(process.env.SCENARIOS);
// The Chromium every test here launches; the projects import nothing from this repository, so
// its launch options are written into their configs.
const { chromiumLaunchOptions: CHROMIUM } = await import(
  pathToFileURL(join(REPO, 'scripts', 'chromium.mjs')).href
);

// The projects' own frameworks (Vite, React, Express, Playwright) at the versions this
// repository's catalog pins and tests with, so a new release of one of them shows up as an
// upgrade there, not as a surprise here. OpenTelemetry packages are named per scenario.
const CATALOG = readFileSync(join(REPO, 'pnpm-workspace.yaml'), 'utf8');
function version(name) {
  const found = new RegExp(`^  '?${name}'?: (\\S+)$`, 'm').exec(CATALOG)?.[1];
  if (!found) throw new Error(`${name} is not in pnpm-workspace.yaml's catalog`);
  return found;
}

const started = Date.now();
const preflight = []; // build, pack and each lane's Node check: { name, ok, seconds, note }
const results = new Map(); // `${scenario}@${major}` -> { ok, seconds, installSeconds, steps, warnings }
let root;

const since = (start) => (Date.now() - start) / 1000;

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    cleanUp();
    process.exit(130);
  });
}

async function main() {
  root = mkdtempSync(join(tmpdir(), 'clicktrace-consumers-'));
  log(`repository: ${REPO}`);
  log(`temp dir: ${root}`);

  const binaries = new Map();
  for (const major of new Set([...MAJORS, '24'])) binaries.set(major, await nodeBinary(major));
  // pnpm, the build and the pack need Node >= 22.15, whatever Node runs this script.
  const toolEnv = laneEnv(binaries.get('24'));

  if (process.env.SKIP_BUILD !== '1') {
    const built = await preflightStep(`build (${PNPM} run build)`, async () => {
      const { code } = await run('npx', ['-y', PNPM, 'run', 'build'], { cwd: REPO, env: toolEnv });
      return { ok: code === 0, note: code === 0 ? '' : 'the repository does not build' };
    });
    if (!built.ok) return;
  }

  const tarballDir = join(root, 'tarballs');
  mkdirSync(tarballDir);
  const packed = await preflightStep(`pack (${PNPM} pack)`, () =>
    packAll({ repo: REPO, pnpm: PNPM, destination: tarballDir, env: toolEnv }),
  );
  if (!packed.ok) return;

  const context = {
    repo: REPO,
    chromium: CHROMIUM,
    tarballs: packed.tarballs,
    version,
    pinned: (name) => `${name}@${version(name)}`,
  };
  const lanes = MAJORS.map((major) => ({
    major,
    label: `node${major}`,
    dir: join(root, `node${major}`),
    env: laneEnv(binaries.get(major)),
  }));
  const runLane = async (lane) => {
    const checked = await preflightStep(`Node ${lane.major} lane`, () => checkLane(lane));
    if (!checked.ok) return;
    for (const scenario of SCENARIOS) {
      results.set(`${scenario.name}@${lane.major}`, await runScenario(scenario, lane, context));
    }
  };
  if (process.env.PARALLEL === '1') await Promise.all(lanes.map(runLane));
  else for (const lane of lanes) await runLane(lane);
}

/**
 * One scenario in one lane: its project written to a fresh folder, its installs (each followed
 * by `npm ls --all`), then its checks. A failed install stops the scenario; a failed `npm ls` or
 * check does not, so one run shows every problem.
 */
async function runScenario(scenario, lane, context) {
  const start = Date.now();
  const steps = [];
  const warnings = new Set();
  let installSeconds = 0;
  const step = async (name, body) => {
    log(`==> ${scenario.name}: ${name}`, lane.label);
    const stepStart = Date.now();
    let result;
    try {
      result = await body();
    } catch (error) {
      result = { ok: false, note: error instanceof Error ? error.message : String(error) };
    }
    const entry = { name, ok: result.ok, seconds: since(stepStart).toFixed(1), note: result.note ?? '' };
    steps.push(entry);
    log(
      `<== ${scenario.name}: ${name}: ${entry.ok ? 'ok' : 'FAILED'} in ${entry.seconds} s${entry.note ? ` (${entry.note})` : ''}`,
      lane.label,
    );
    return result;
  };
  const finish = (installed) => ({
    ok: installed && steps.every((entry) => entry.ok),
    installed,
    seconds: since(start),
    installSeconds,
    steps,
    warnings: [...warnings],
  });

  const dir = join(lane.dir, scenario.inFolderOf ?? scenario.name);
  const project = { dir, env: lane.env, lane: lane.label, repo: REPO };

  if (scenario.inFolderOf) {
    if (!results.get(`${scenario.inFolderOf}@${lane.major}`)?.installed) {
      await step(`${scenario.inFolderOf}'s project`, () => ({
        ok: false,
        note: `${scenario.inFolderOf} was not installed`,
      }));
      return finish(false);
    }
  } else {
    const written = await step('write the project files', () => {
      const files = scenario.files(context);
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      return { ok: true, note: `${Object.keys(files).length} files in ${dir}` };
    });
    if (!written.ok) return finish(false);
    let installs;
    try {
      installs = scenario.installs(context); // may read a README that has no `npm install` line
    } catch (error) {
      await step('npm install', () => ({ ok: false, note: error.message }));
      return finish(false);
    }
    const installStart = Date.now();
    for (const args of installs) {
      const shown = args.map((arg) => (arg.endsWith('.tgz') ? basename(arg) : arg)).join(' ');
      const installed = await step(`npm install ${shown}`.trim(), () => npmInstall(args, project));
      for (const warning of installed.warnings ?? []) warnings.add(warning);
      if (!installed.ok) return finish(false);
      await step('npm ls --all', () => npmLs(project));
    }
    installSeconds = since(installStart);
  }

  for (const check of scenario.steps) await step(check.name, () => check.run(project));
  return finish(true);
}

async function preflightStep(name, body) {
  log(`==> ${name}`);
  const start = Date.now();
  let result;
  try {
    result = await body();
  } catch (error) {
    result = { ok: false, note: error instanceof Error ? error.message : String(error) };
  }
  preflight.push({ name, ok: result.ok, seconds: since(start).toFixed(1), note: result.note ?? '' });
  log(`<== ${name}: ${result.ok ? 'ok' : 'FAILED'}${result.note ? ` (${result.note})` : ''}`);
  return result;
}

function selectScenarios(list) {
  if (!list) return allScenarios;
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !allScenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${allScenarios.map((s) => s.name).join(', ')}`,
    );
  }
  return allScenarios.filter((scenario) => names.includes(scenario.name));
}

function cleanUp() {
  stopAll();
  if (root === undefined) return;
  if (KEEP) log(`KEEP=1: the projects stay in ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

let crashed;
try {
  await main();
} catch (error) {
  crashed = error;
} finally {
  cleanUp();
}
if (crashed)
  preflight.push({
    name: 'harness',
    ok: false,
    seconds: '0',
    note: crashed instanceof Error ? crashed.stack : String(crashed),
  });
const ok = printSummary({
  preflight,
  scenarios: SCENARIOS,
  majors: MAJORS,
  results,
  seconds: since(started).toFixed(1),
});
process.exit(ok ? 0 : 1);

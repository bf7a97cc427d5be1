// Real PostgreSQL, Redis and RabbitMQ servers for the tests, the benchmarks and the demo: Debian's
// packages (scripts/setup.sh installs them when missing), each started as a process of our own on
// 127.0.0.1, on a free port, with its data in a temporary folder, and stopped by its PID.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';

/** A port nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Whether `port` on 127.0.0.1 accepts a TCP connection now. */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `command` and resolves once `ready()` says so; rejects with the process's output when it
 * exits first. Each poll waits for the previous one, and for an event loop turn, never for a fixed
 * time: the test's own timeout bounds the whole start.
 */
function startProcess(name, command, args, options, ready) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let done = false;
    exited.then(({ code, signal }) => {
      if (done) return;
      done = true;
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output}`));
    });
    const poll = async () => {
      if (done) return;
      let ok = false;
      try {
        ok = await ready();
      } catch {
        ok = false;
      }
      if (done) return;
      if (ok) {
        done = true;
        resolve({ child, exited, output: () => output });
      } else {
        setTimeout(poll, 50);
      }
    };
    poll();
  });
}

/** Sends SIGTERM to the process (and SIGKILL if it is still there when `exited` does not come). */
async function stopProcess(started, graceful = 'SIGTERM') {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill(graceful);
  const killer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
  await started.exited;
  clearTimeout(killer);
}

function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

/** Where the binaries are, or why a service cannot start here. */
export function serviceAvailability() {
  const bin = postgresBin();
  return {
    postgres: bin && existsSync(join(bin, 'postgres')) ? true : 'no PostgreSQL under /usr/lib/postgresql',
    redis: existsSync('/usr/bin/redis-server') ? true : 'no /usr/bin/redis-server',
    rabbitmq: existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server')
      ? true
      : 'no RabbitMQ under /usr/lib/rabbitmq',
  };
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` user (setpriv
 * execs, so the PID we hold is the server's own).
 */
function asPostgresUser(command, args) {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
}

/**
 * A PostgreSQL server with one database, `clicktrace`, user `postgres`, no password (trust on
 * loopback only). Resolves to `{ url, port, stop() }`.
 */
export async function startPostgres() {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asUser = process.getuid?.() === 0;
  const [initCommand, initArgs] = asPostgresUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8', cwd: dir });
  if (init.status !== 0)
    throw new Error(`initdb failed (${asUser ? 'as postgres' : 'as me'}):\n${init.stderr}`);
  const port = await freePort();
  const [command, args] = asPostgresUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-h',
    HOST,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const started = await startProcess('postgres', command, args, { cwd: dir }, () => accepts(port));
  const psql = join(bin, 'psql');
  const create = spawnSync(
    psql,
    ['-h', HOST, '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE clicktrace'],
    {
      encoding: 'utf8',
    },
  );
  if (create.status !== 0) {
    await stopProcess(started, 'SIGINT');
    throw new Error(`could not create the database:\n${create.stderr}`);
  }
  return {
    url: `postgres://postgres@${HOST}:${port}/clicktrace`,
    port,
    async stop() {
      // SIGINT: PostgreSQL's fast shutdown.
      await stopProcess(started, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis server that keeps nothing on disk. Resolves to `{ url, port, stop() }`. */
export async function startRedis() {
  if (!existsSync('/usr/bin/redis-server'))
    throw new Error('Redis is not installed: apt-get install -y redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-redis-'));
  const port = await freePort();
  const started = await startProcess(
    'redis-server',
    '/usr/bin/redis-server',
    [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    { cwd: dir },
    () => accepts(port),
  );
  return {
    url: `redis://${HOST}:${port}`,
    port,
    async stop() {
      await stopProcess(started);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A MariaDB server (Debian's `mariadb-server`, which mysql2 speaks to as to MySQL) with one
 * database, `clicktrace`, user `root` without a password, on loopback only. Resolves to
 * `{ url, port, stop() }`.
 */
export async function startMariaDB() {
  if (!existsSync('/usr/sbin/mariadbd'))
    throw new Error('MariaDB is not installed: apt-get install -y mariadb-server');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-mariadb-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // As root, the server runs as Debian's `mysql` user (it refuses to run as root otherwise).
  const asUser = process.getuid?.() === 0 ? ['--user=mysql'] : [];
  const init = spawnSync(
    '/usr/bin/mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...asUser,
    ],
    { encoding: 'utf8', cwd: dir },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed:\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  const started = await startProcess(
    'mariadbd',
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...asUser,
      `--bind-address=${HOST}`,
      `--port=${port}`,
      `--socket=${join(dir, 'mariadb.sock')}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
    ],
    { cwd: dir },
    () => accepts(port),
  );
  const create = spawnSync(
    '/usr/bin/mariadb',
    ['-h', HOST, '-P', String(port), '-u', 'root', '-e', 'CREATE DATABASE clicktrace'],
    { encoding: 'utf8' },
  );
  if (create.status !== 0) {
    await stopProcess(started);
    throw new Error(`could not create the database:\n${create.stderr}`);
  }
  return {
    url: `mysql://root@${HOST}:${port}/clicktrace`,
    port,
    async stop() {
      await stopProcess(started);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

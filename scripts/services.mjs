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
 * Every server process still running, with the temporary folder it works in. Should this process
 * exit without stopping them (a test's hook timed out, a start failed half-way, the runner was
 * interrupted), they are killed, process group and all, and their folders removed on the way out:
 * nothing started here outlives it.
 */
const leftovers = new Map();
process.on('exit', () => {
  for (const child of leftovers.keys()) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of new Set(leftovers.values())) {
    if (dir?.startsWith(join(tmpdir(), 'clicktrace-'))) rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Starts `command` and resolves once `ready()` says so; rejects with the process's output when it
 * exits first. Each poll waits for the previous one, and for an event loop turn, never for a fixed
 * time: the test's own timeout bounds the whole start.
 */
function startProcess(name, command, args, options, ready) {
  // Its own process group, so that a server's children (RabbitMQ's Erlang VM) go with it.
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  leftovers.set(child, options.cwd);
  child.once('exit', () => leftovers.delete(child));
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
  const killer = setTimeout(() => {
    try {
      process.kill(-started.child.pid, 'SIGKILL');
    } catch {
      // gone in the meantime
    }
  }, 15_000);
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
 * loopback only), on `port` or a free one. Resolves to `{ url, port, stop() }`.
 */
export async function startPostgres({ port: wanted } = {}) {
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
  const port = wanted ?? (await freePort());
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
  // Ready once pg_isready says it accepts connections: an open port alone can still answer "the
  // database system is starting up".
  const isReady = () =>
    new Promise((resolve) => {
      const probe = spawn(join(bin, 'pg_isready'), [
        '-q',
        '-h',
        HOST,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
      ]);
      probe.once('error', () => resolve(false));
      probe.once('exit', (code) => resolve(code === 0));
    });
  const started = await startProcess('postgres', command, args, { cwd: dir }, isReady);
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

/** A Redis server that keeps nothing on disk, on `port` or a free one. Resolves to `{ url, port, stop() }`. */
export async function startRedis({ port: wanted } = {}) {
  if (!existsSync('/usr/bin/redis-server'))
    throw new Error('Redis is not installed: apt-get install -y redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-redis-'));
  const port = wanted ?? (await freePort());
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
 * Whether an AMQP 0-9-1 server on `port` lets guest/guest open the vhost `/`: the protocol header,
 * then Connection.Start-Ok (SASL PLAIN), Tune-Ok and Open, answered by Connection.Open-Ok. Written
 * out here so the script needs no npm package; the socket is dropped after Open-Ok.
 */
function amqpOpens(port) {
  const frame = (classId, methodId, args) => {
    const payload = Buffer.concat([
      Buffer.from([classId >> 8, classId & 255, methodId >> 8, methodId & 255]),
      args,
    ]);
    const header = Buffer.alloc(7);
    header.writeUInt8(1, 0); // method frame, channel 0
    header.writeUInt32BE(payload.length, 3);
    return Buffer.concat([header, payload, Buffer.from([0xce])]);
  };
  const shortString = (text) => Buffer.concat([Buffer.from([Buffer.byteLength(text)]), Buffer.from(text)]);
  const longString = (text) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(Buffer.byteLength(text));
    return Buffer.concat([length, Buffer.from(text)]);
  };
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let received = Buffer.alloc(0);
    const finish = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    socket.once('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 7) {
        const size = received.readUInt32BE(3);
        if (received.length < size + 8) return;
        const method = `${received.readUInt16BE(7)}.${received.readUInt16BE(9)}`;
        const args = received.subarray(11, 7 + size);
        received = received.subarray(size + 8);
        if (method === '10.10') {
          // Start: answer with an empty client-properties table, PLAIN guest/guest, en_US.
          const startOk = Buffer.concat([
            Buffer.alloc(4),
            shortString('PLAIN'),
            longString('\0guest\0guest'),
            shortString('en_US'),
          ]);
          socket.write(frame(10, 11, startOk));
        } else if (method === '10.30') {
          // Tune: accept the server's channel-max and frame-max, no heartbeat; then open '/'.
          const tuneOk = Buffer.concat([args.subarray(0, 6), Buffer.alloc(2)]);
          socket.write(frame(10, 31, tuneOk));
          socket.write(frame(10, 40, Buffer.concat([shortString('/'), shortString(''), Buffer.from([0])])));
        } else if (method === '10.41') {
          finish(true);
        } else {
          finish(false);
        }
      }
    });
  });
}

/**
 * A RabbitMQ broker (Debian's rabbitmq-server, run directly) with user guest/guest and vhost `/`,
 * no plugins, nothing of it outside a temporary folder: its own epmd in the foreground on a free
 * port (ERL_EPMD_PORT, and `-start_epmd false` so Erlang never daemonizes one), a unique node
 * name, a free distribution port, both bound to 127.0.0.1. Ready once an AMQP connection opens
 * (7-8 s here); stopped in about 3 s. On `port` or a free one. Resolves to `{ url, port, stop() }`.
 */
export async function startRabbitMQ({ port: wanted } = {}) {
  const server = '/usr/lib/rabbitmq/bin/rabbitmq-server';
  if (!existsSync(server)) throw new Error('RabbitMQ is not installed: apt-get install -y rabbitmq-server');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-rabbitmq-'));
  const [port, epmdPort, distPort] = await Promise.all([wanted ?? freePort(), freePort(), freePort()]);
  const epmd = await startProcess(
    'epmd',
    'epmd',
    ['-port', String(epmdPort), '-address', HOST],
    { cwd: dir },
    () => accepts(epmdPort),
  );
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // The Erlang cookie goes to $HOME/.erlang.cookie.
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_NODENAME: `clicktrace-${process.pid}-${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: HOST,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}',
    // None of these files exists: no config, no rabbitmq-env.conf (Debian's in /etc is skipped), no plugin.
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  let broker;
  try {
    broker = await startProcess('rabbitmq-server', server, [], { cwd: dir, env }, () => amqpOpens(port));
  } catch (error) {
    await stopProcess(epmd);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `amqp://guest:guest@${HOST}:${port}`,
    port,
    async stop() {
      // The script traps SIGTERM, stops the Erlang VM (its child) and waits for it.
      await stopProcess(broker);
      await stopProcess(epmd);
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

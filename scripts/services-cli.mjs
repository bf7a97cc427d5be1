// Runs real servers for as long as this process lives, for Playwright's webServer list and by hand:
//   node scripts/services-cli.mjs postgres:5432 rabbitmq:5672 redis:6379
// Each `name:port` starts that server on 127.0.0.1 (port 0: any free one) and prints
// `<name> <url>`; then `services ready`. SIGTERM or SIGINT stops them all, by PID, and exits.
import * as services from './services.mjs';

const starters = {
  postgres: 'startPostgres',
  mariadb: 'startMariaDB',
  redis: 'startRedis',
  rabbitmq: 'startRabbitMQ',
};
const running = [];
let stopping;

function stopAll() {
  stopping ??= Promise.allSettled(running.map((it) => it.stop()));
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => stopAll().finally(() => process.exit(0)));
}

try {
  for (const arg of process.argv.slice(2)) {
    const [name, port] = arg.split(':');
    const start = services[starters[name]];
    if (typeof start !== 'function')
      throw new Error(`unknown service "${name}" (known: ${Object.keys(starters).join(', ')})`);
    const it = await start({ port: port && port !== '0' ? Number(port) : undefined });
    running.push(it);
    process.stdout.write(`${name} ${it.url}\n`);
  }
  process.stdout.write('services ready\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
}

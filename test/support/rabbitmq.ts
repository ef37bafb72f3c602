import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.ts';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export interface PrivateRabbitmq {
  nodeName: string;
  amqpPort: number;
  /** HTTP port of the management plugin. */
  managementPort: number;
  managementUrl: string;
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A private RabbitMQ node (own node name, ports, Mnesia and log directories, Erlang cookie) with the management
 * plugin. `admin` is made the node's `default_user`, as Bitnami's chart does with `auth.username`/`auth.password`:
 * an administrator with all permissions on `/`.
 */
export async function startRabbitmq(admin: { username: string; password: string }): Promise<PrivateRabbitmq> {
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-rabbitmq-'));
  const [amqpPort, distPort, managementPort] = [await freePort(), await freePort(), await freePort()];
  const nodeName = `ob-test-${process.pid}-${amqpPort}@localhost`;
  const home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
      `management.tcp.ip = 127.0.0.1`,
      `management.tcp.port = ${managementPort}`,
      `default_user = ${admin.username}`,
      `default_pass = ${admin.password}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_management].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const log = openSync(join(dir, 'server.log'), 'w');
  const child: ChildProcess = spawn(RABBITMQ_SERVER, [], {
    env: {
      PATH: process.env.PATH,
      // The Erlang cookie is created under HOME: a private one, whatever ~/.erlang.cookie holds.
      HOME: home,
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      // Not the machine's /etc/rabbitmq/rabbitmq-env.conf (its NODENAME and flags are the system node's).
      RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    },
    stdio: ['ignore', log, log],
    // Its own process group: beam.smp and its helpers (erl_child_setup, inet_gethost) go with one signal.
    detached: true,
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      const tail = readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000);
      reject(new Error(`rabbitmq-server ${nodeName} exited (${code}) before it was ready:\n${tail}`));
    }),
  );
  // Rejects once more when stop() kills the node: by then nobody waits for it.
  exited.catch(() => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      // Nothing of this node outlives the test: no graceful `rabbitmqctl stop` (about 5 s) needed.
      process.kill(-child.pid, 'SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const authorization = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`;
  const ready = async () =>
    (await fetch(`${managementUrl}/api/overview`, { headers: { authorization } })).ok && (await listening(amqpPort));
  try {
    await Promise.race([waitFor(ready, 45_000, `RabbitMQ node ${nodeName}`), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodeName, amqpPort, managementPort, managementUrl, stop };
}

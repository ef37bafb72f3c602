import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, waitFor } from './ports.ts';

export interface PrivateMariadb {
  host: string;
  port: number;
  /** Admin URL (root, no password) for backend options. */
  url: string;
  stop(): Promise<void>;
}

/** Server certificate and key (PEM files); with them the server refuses connections without TLS. */
export interface MariadbTls {
  certFile: string;
  keyFile: string;
  /** The certificate's PEM text, trusted by the readiness probe. */
  cert: string;
}

/** Starts a private mariadbd with its own datadir on a free port, so test runs never collide. */
export async function startMariadb(options: { tls?: MariadbTls } = {}): Promise<PrivateMariadb> {
  const { tls } = options;
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-mariadb-'));
  const datadir = join(dir, 'data');
  // A private tmpdir too: parallel bootstraps sharing /tmp collide on their temporary tables.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const init = spawnSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--user=root',
      `--tmpdir=${tmp}`,
    ],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--tmpdir=${tmp}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--user=root',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      '--skip-name-resolve',
      // Like Azure Flexible Server: TLS only (require_secure_transport).
      ...(tls === undefined
        ? []
        : [
            `--ssl-cert=${tls.certFile}`,
            `--ssl-key=${tls.keyFile}`,
            `--ssl-ca=${tls.certFile}`,
            '--require-secure-transport=ON',
          ]),
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    async () => {
      const conn = await mysql.createConnection({
        host: '127.0.0.1',
        port,
        user: 'root',
        password: '',
        ...(tls === undefined ? {} : { ssl: { ca: tls.cert } }),
      });
      await conn.end();
      return true;
    },
    30_000,
    `mariadbd on port ${port}`,
  );
  return {
    host: '127.0.0.1',
    port,
    url: `mysql://root@127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in with the given credentials and runs one query; throws when the login is refused. */
export async function loginAndQuery(options: {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
  sql: string;
}): Promise<unknown[]> {
  const conn = await mysql.createConnection({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    ...(options.database === undefined ? {} : { database: options.database }),
  });
  try {
    const [rows] = await conn.query(options.sql);
    return rows as unknown[];
  } finally {
    await conn.end();
  }
}

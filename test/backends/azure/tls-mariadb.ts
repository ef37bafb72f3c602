import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, waitFor } from '../../support/ports.ts';
import type { TlsMaterial } from './tls-material.ts';

export interface TlsMariadb {
  port: number;
  stop(): Promise<void>;
}

/**
 * A private mariadbd that, like Azure Flexible Server, refuses connections without TLS
 * (require_secure_transport). test/support/mariadb.ts takes no TLS options, hence this small starter.
 */
export async function startTlsMariadb(tls: TlsMaterial): Promise<TlsMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-azure-mariadb-'));
  const datadir = join(dir, 'data');
  const init = spawnSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--user=root',
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
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--user=root',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      '--skip-name-resolve',
      `--tmpdir=${dir}`,
      `--ssl-cert=${tls.certFile}`,
      `--ssl-key=${tls.keyFile}`,
      `--ssl-ca=${tls.certFile}`,
      '--require-secure-transport=ON',
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    async () => {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', ssl: { ca: tls.cert } });
      await conn.end();
      return true;
    },
    30_000,
    `TLS mariadbd on port ${port}`,
  );
  return {
    port,
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

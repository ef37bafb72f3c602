import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/state/create-store.ts';
import { StoreUnavailableError } from '../../src/state/store.ts';
import { freePort, waitFor } from '../support/ports.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const children: ChildProcess[] = [];
let dir: string;

function start(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCertificates(): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'ext.cnf');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  run([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '1',
    '-extfile',
    ext,
  ]);
  return { ca, cert, key };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'omnibroker-redis-deploy-'));
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('redis store in real deployment shapes', () => {
  it('speaks TLS (rediss://) verified against the configured CA, and refuses an unverifiable server', async () => {
    const { ca, cert, key } = makeCertificates();
    const port = await freePort();
    start([
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      ca,
      '--tls-auth-clients',
      'no',
    ]);
    const url = `rediss://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        const probe = await createStore({ type: 'redis', url, tls: { caFile: ca }, connectTimeoutMs: 500 }, quiet);
        try {
          await probe.ping();
          return true;
        } finally {
          await probe.close();
        }
      },
      10_000,
      'redis-server with TLS',
    );

    const store = await createStore({ type: 'redis', url, tls: { caFile: ca } }, quiet);
    try {
      await store.put('instance', 'tls-1', { over: 'tls' });
      expect((await store.get('instance', 'tls-1'))?.value).toEqual({ over: 'tls' });
    } finally {
      await store.close();
    }

    const untrusted = await createStore({ type: 'redis', url, connectTimeoutMs: 500 }, quiet);
    try {
      await expect(untrusted.get('instance', 'tls-1')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await untrusted.close();
    }
  });

  it('finds the master through Sentinel', async () => {
    const masterPort = await freePort();
    start(['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '']);
    const sentinelPort = await freePort();
    const sentinelConf = join(dir, 'sentinel.conf');
    writeFileSync(
      sentinelConf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor omni 127.0.0.1 ${masterPort} 1`,
        '',
      ].join('\n'),
    );
    start([sentinelConf, '--sentinel']);
    await waitFor(
      async () => {
        const probe = await createStore(
          {
            type: 'redis',
            url: 'redis://unused:1',
            sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
            sentinelName: 'omni',
            connectTimeoutMs: 500,
          },
          quiet,
        );
        try {
          await probe.ping();
          return true;
        } finally {
          await probe.close();
        }
      },
      15_000,
      'sentinel to know the master',
    );

    const store = await createStore(
      {
        type: 'redis',
        url: 'redis://unused:1',
        sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
        sentinelName: 'omni',
      },
      quiet,
    );
    try {
      await store.put('binding', 's-1', { via: 'sentinel' });
      expect((await store.get('binding', 's-1'))?.value).toEqual({ via: 'sentinel' });
    } finally {
      await store.close();
    }
  });
});

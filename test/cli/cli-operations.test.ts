import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BindingRecord, InstanceRecord } from '../../src/broker/records.ts';
import { aad } from '../../src/broker/sealing.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { credentialViolations } from '../../src/plugin-api/index.ts';
import { createStore } from '../../src/state/create-store.ts';
import { KeyRing } from '../../src/state/key-ring.ts';
import type { StateStore } from '../../src/state/store.ts';
import { type Harness, TEST_AUTH, TEST_ENCRYPTION_KEY, startHarness } from '../support/harness.ts';
import { loginAndQuery, type PrivateMariadb, startMariadb } from '../support/mariadb.ts';
import { freePort } from '../support/ports.ts';
import { type PrivateRedis, startRedis } from '../support/redis.ts';
import { runCli, writeConfig } from './run-cli-process.ts';

const NEW_KEY = { id: 'k2', secret: 'a-brand-new-encryption-secret-of-32-chars' };
const ids = { service_id: 'shared.mysql', plan_id: 'shared.shared' };

let redis: PrivateRedis;
let mariadb: PrivateMariadb;
let store: StateStore;
let harness: Harness;
let dir: string;

function config(overrides: { state?: unknown; keys?: unknown[]; mysqlUrl?: string } = {}) {
  return {
    auth: { basic: [TEST_AUTH] },
    state: overrides.state ?? { type: 'redis', url: redis.url },
    encryption: { keys: overrides.keys ?? [TEST_ENCRYPTION_KEY] },
    backends: [{ name: 'shared', type: 'mysql', options: { url: overrides.mysqlUrl ?? mariadb.url } }],
  };
}

async function provisionWithBinding(instanceId: string, bindingId: string): Promise<Record<string, string>> {
  const provisioned = await harness.client.provision(instanceId, ids);
  expect(provisioned.status, provisioned.text).toBe(201);
  const bound = await harness.client.bind(instanceId, bindingId, ids);
  expect(bound.status, bound.text).toBe(201);
  return bound.body.credentials as Record<string, string>;
}

beforeAll(async () => {
  [redis, mariadb] = await Promise.all([startRedis(), startMariadb()]);
  store = await createStore({ type: 'redis', url: redis.url }, createLogger('silent'));
  harness = await startHarness({ backends: [{ name: 'shared', type: 'mysql', options: { url: mariadb.url } }], store });
  dir = mkdtempSync(join(tmpdir(), 'omnibroker-cli-'));
});

afterAll(async () => {
  await harness?.close();
  await Promise.all([redis?.stop(), mariadb?.stop()]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('read-only commands', () => {
  it('catalog, instances, bindings and status show what the broker stored, without secrets', async () => {
    const credentials = await provisionWithBinding('inst-read', 'bind-read');
    const file = writeConfig(dir, 'read.yaml', config());
    const [table, json, instances, bindings, status, missing] = await Promise.all([
      runCli(['catalog', '--config', file]),
      runCli(['catalog', '--config', file, '--json']),
      runCli(['instances', '--config', file]),
      runCli(['bindings', '--config', file, '--instance', 'inst-read']),
      runCli(['status', 'inst-read', '--config', file]),
      runCli(['status', 'no-such-instance', '--config', file]),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^BACKEND\s+SERVICE\s+PLAN\s+PLAN ID/);
    expect(table.stdout).toMatch(/shared\s+shared-mysql\s+shared\s+shared\.shared/);
    expect(JSON.parse(json.stdout).services[0].id).toBe('shared.mysql');
    expect(instances.code, instances.stderr).toBe(0);
    expect(instances.stdout).toMatch(/inst-read\s+shared\s+shared\.mysql\s+shared\.shared\s+ready\s+\d+s/);
    expect(bindings.stdout).toMatch(/inst-read\s+bind-read\s+shared\s+ready/);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('instance inst-read');
    expect(status.stdout).toMatch(/kind:\s+provision/);
    expect(status.stdout).toMatch(/bind-read\s+ready/);
    for (const out of [instances, bindings, status]) expect(out.stdout).not.toContain(credentials.password);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no service instance "no-such-instance"');
  });

  it('every command answers --help, and an unknown option is a usage error (exit 2)', async () => {
    const [help, purgeHelp, bad] = await Promise.all([
      runCli(['--help']),
      runCli(['purge', '--help']),
      runCli(['instances', '--bogus']),
    ]);
    for (const name of ['catalog', 'instances', 'bindings', 'status', 'doctor', 'purge', 'rotate-keys', 'init-store']) {
      expect(help.stdout).toContain(name);
    }
    expect(purgeHelp.stdout).toContain('--force');
    expect(bad.code).toBe(2);
  });

  it('init-store says there is nothing to create for redis', async () => {
    const result = await runCli(['init-store', '--config', writeConfig(dir, 'init.yaml', config())]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('state.type is redis: nothing to create');
  });
});

describe('doctor', () => {
  it('passes on a healthy setup', async () => {
    const result = await runCli(['doctor', '--config', writeConfig(dir, 'healthy.yaml', config())]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ok\s+backend shared \(mysql\): MySQL server .* answers/);
    expect(result.stdout).toContain('doctor: nothing wrong');
  });

  it('explains a wrong MySQL password and an unreachable Redis, and exits 1', async () => {
    const wrongPassword = `mysql://root:not-the-password@127.0.0.1:${mariadb.port}`;
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const [password, unreachable] = await Promise.all([
      runCli(['doctor', '--config', writeConfig(dir, 'wrong-pw.yaml', config({ mysqlUrl: wrongPassword }))]),
      runCli([
        'doctor',
        '--config',
        writeConfig(
          dir,
          'dead-redis.yaml',
          config({ state: { type: 'redis', url: deadRedis, connectTimeoutMs: 300 } }),
        ),
      ]),
    ]);
    expect(password.code).toBe(1);
    expect(password.stdout).toMatch(/FAIL\s+backend shared \(mysql\): .*Access denied/);
    expect(password.stdout).toMatch(
      /fix: the server refused the user name or password: correct them in backends\[0\]\.options/,
    );
    expect(password.stdout).not.toContain('not-the-password');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/FAIL\s+store \(redis at redis:\/\/127\.0\.0\.1:\d+\): not reachable/);
    expect(unreachable.stdout).toMatch(/fix: .*state\.url/);
  });
});

describe('rotate-keys', () => {
  it('re-encrypts every sealed field so the credentials decrypt with only the new key', async () => {
    const credentials = await provisionWithBinding('inst-rotate', 'bind-rotate');
    const rotated = await runCli([
      'rotate-keys',
      '--config',
      writeConfig(dir, 'rotate.yaml', config({ keys: [NEW_KEY, TEST_ENCRYPTION_KEY] })),
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(
      /rotate-keys: [1-9]\d* records re-encrypted \(\d+ fields\) with key "k2", \d+ already on it, 0 failed/,
    );
    expect(rotated.stderr).toMatch(/rotate-keys: binding records: \d+\/\d+/);
    const onlyNew = new KeyRing([NEW_KEY]);
    const binding = (await store.get<BindingRecord>('binding', 'inst-rotate/bind-rotate'))?.value;
    expect(binding?.sealedCredentials?.kid).toBe('k2');
    const opened = onlyNew.open<Record<string, string>>(
      binding?.sealedCredentials as NonNullable<BindingRecord['sealedCredentials']>,
      aad('binding:inst-rotate/bind-rotate', 'credentials'),
    );
    expect(opened).toEqual(credentials);
    expect(credentialViolations(opened)).toEqual([]);
    const again = await runCli([
      'rotate-keys',
      '--config',
      writeConfig(dir, 'rotate-only-new.yaml', config({ keys: [NEW_KEY] })),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 records re-encrypted .* 0 failed/);
  });
});

describe('purge', () => {
  it('removes a record only after the backend confirms the database and user are gone, and audits it', async () => {
    const credentials = await provisionWithBinding('inst-purge', 'bind-purge');
    const result = await runCli(['purge', 'inst-purge', '--config', writeConfig(dir, 'purge.yaml', config())], {
      USER: 'alice',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('removed instance inst-purge and 1 binding record(s)');
    const audit = JSON.parse(result.stderr.split('\n').find((l) => l.startsWith('{')) ?? '{}');
    expect(audit).toMatchObject({ audit: true, who: 'alice', what: 'purge', instance: 'inst-purge', forced: false });
    expect(await store.get<InstanceRecord>('instance', 'inst-purge')).toBeUndefined();
    expect(await store.get<BindingRecord>('binding', 'inst-purge/bind-purge')).toBeUndefined();
    await expect(
      loginAndQuery({
        host: '127.0.0.1',
        port: mariadb.port,
        user: credentials.username ?? '',
        password: credentials.password ?? '',
        sql: 'SELECT 1',
      }),
    ).rejects.toThrow(/Access denied/);
  });

  it('refuses while the backend cannot confirm, and --force removes the record anyway', async () => {
    await provisionWithBinding('inst-stuck', 'bind-stuck');
    const deadMysql = `mysql://root@127.0.0.1:${await freePort()}`;
    const file = writeConfig(dir, 'purge-dead.yaml', config({ mysqlUrl: deadMysql }));
    const refused = await runCli(['purge', 'inst-stuck', '--config', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not purged: the backend did not confirm the resource is gone: .*unreachable/);
    expect(await store.get('instance', 'inst-stuck')).toBeDefined();
    const forced = await runCli(['purge', 'inst-stuck', '--force', '--config', file], { USER: 'bob' });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('"who":"bob"');
    expect(forced.stderr).toContain('"forced":true');
    expect(await store.get('instance', 'inst-stuck')).toBeUndefined();
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialViolations, derivedName } from '../../../src/plugin-api/index.ts';
import { type FakeMongod, startFakeMongod } from '../../fakes/mongodb/fake-mongod.ts';
import { loginAndQuery, type PrivateMariadb, startMariadb } from '../../support/mariadb.ts';
import { bindOnce, ctx, decodeSecret, type HelmWorld, provisionReady, startHelmWorld } from './setup.ts';
import { setRootPassword } from './sql-servers.ts';

const NS = 'services';
const svcHost = (fullname: string) => `${fullname}.${NS}.svc.cluster.local`;

async function pgLogin(user: string, password: string, database: string) {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user, password, database });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS omnibroker_helm_probe (id int)');
    await client.query('DROP TABLE omnibroker_helm_probe');
    return (await client.query('SELECT current_user AS who')).rows[0] as { who: string };
  } finally {
    await client.end();
  }
}

describe('local-helm bind: credentials per chart from the release Service and Secret', () => {
  let world: HelmWorld;
  let db: PrivateMariadb;
  let mongod: FakeMongod;
  beforeAll(async () => {
    [world, db, mongod] = await Promise.all([
      startHelmWorld(),
      startMariadb(),
      startFakeMongod({ root: { user: 'root', password: 'mongo-root-pw' } }),
    ]);
    await setRootPassword(db, 'mysql-root-pw');
  });
  afterAll(async () => {
    await Promise.all([world?.close(), db?.stop(), mongod?.close()]);
  });

  const backend = () =>
    world.backend({
      namespace: NS,
      charts: ['mariadb', 'mongodb', 'mysql', 'postgresql', 'cassandra'],
      provisioningSettings: {
        mysql: { auth: { rootPassword: 'mysql-root-pw' } },
        mongodb: { auth: { rootPassword: 'mongo-root-pw' } },
      },
      connectAddressOverrides: {
        mysql: `${db.host}:${db.port}`,
        postgresql: '127.0.0.1:5432',
        mongodb: `${mongod.host}:${mongod.port}`,
      },
    });

  it('postgresql: a per-binding role that logs in, and is dropped on unbind', async () => {
    const helm = await backend();
    const instance = await provisionReady(world, helm, {
      instanceId: 'pg-1',
      chart: 'postgresql',
      planId: 'postgresql-17.4.0',
    });
    const fullname = `${instance.data.release}-postgresql`;
    const bindingId = `pg-binding-${process.pid}-${Date.now()}`;
    const username = derivedName('u', bindingId, 15);
    const { credentials: creds, data } = await bindOnce(helm, instance, bindingId);
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toEqual({
      type: 'postgresql',
      provider: 'helm-bitnami',
      host: svcHost(fullname),
      port: '5432',
      database: 'postgres',
      username,
      password: creds.password,
      uri: `postgresql://${username}:${creds.password}@${svcHost(fullname)}:5432/postgres`,
      'jdbc-url': `jdbc:postgresql://${svcHost(fullname)}:5432/postgres`,
      'ssl-required': 'false',
    });
    expect(creds.password).not.toBe(decodeSecret(world.kube, NS, fullname, 'postgres-password'));
    expect(await pgLogin(username, creds.password!, 'postgres')).toEqual({ who: username });
    await helm.unbind(
      {
        instance,
        binding: { id: bindingId, instanceId: 'pg-1', parameters: {}, data: data ?? {}, secrets: {} },
        acceptsIncomplete: false,
      },
      ctx(),
    );
    await expect(pgLogin(username, creds.password!, 'postgres')).rejects.toThrow(/does not exist/);
  });

  it('mysql: a per-binding user on the chart database (mysql-root-password as admin)', async () => {
    const helm = await backend();
    const instance = await provisionReady(world, helm, { instanceId: 'my-1', chart: 'mysql', planId: 'mysql-8.4.4' });
    const fullname = `${instance.data.release}-mysql`;
    expect(decodeSecret(world.kube, NS, fullname, 'mysql-root-password')).toBe('mysql-root-pw');
    const { credentials: creds } = await bindOnce(helm, instance, 'my-binding');
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toMatchObject({ type: 'mysql', host: svcHost(fullname), port: '3306', database: 'my_database' });
    expect(
      await loginAndQuery({
        host: db.host,
        port: db.port,
        user: creds.username!,
        password: creds.password!,
        database: 'my_database',
        sql: 'SELECT 1 AS ok',
      }),
    ).toEqual([{ ok: 1 }]);
  });

  it('mongodb: a per-binding user with readWrite on the chart database (details: bind-mongodb.test.ts)', async () => {
    const helm = await backend();
    const instance = await provisionReady(world, helm, {
      instanceId: 'mongo-1',
      chart: 'mongodb',
      planId: 'mongodb-8.0.5',
    });
    const fullname = `${instance.data.release}-mongodb`;
    const username = derivedName('u', 'mongo-binding', 15);
    const { credentials: creds } = await bindOnce(helm, instance, 'mongo-binding');
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toEqual({
      type: 'mongodb',
      provider: 'helm-bitnami',
      host: svcHost(fullname),
      port: '27017',
      database: 'db',
      username,
      password: creds.password,
      uri: `mongodb://${username}:${creds.password}@${svcHost(fullname)}:27017/db?authSource=db`,
    });
    expect(creds.password).not.toBe(decodeSecret(world.kube, NS, fullname, 'mongodb-root-password'));
  });

  it('a chart without a provider: the Service address and the Secret keys as they are', async () => {
    const helm = await backend();
    const instance = await provisionReady(world, helm, {
      instanceId: 'cas-1',
      chart: 'cassandra',
      planId: 'cassandra-5.0.3',
    });
    const fullname = `${instance.data.release}-cassandra`;
    const { credentials: creds } = await bindOnce(helm, instance, 'cas-binding');
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toEqual({
      type: 'cassandra',
      provider: 'helm-bitnami',
      host: svcHost(fullname),
      port: '9042',
      'service-name': fullname,
      'secret-name': fullname,
      'cassandra-password': decodeSecret(world.kube, NS, fullname, 'cassandra-password'),
    });
  });
});

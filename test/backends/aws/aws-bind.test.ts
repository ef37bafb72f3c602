import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_TEMPLATES } from '../../../src/backends/aws/index.ts';
import { createDatabaseUser, dropDatabaseUser, mysqlAdminFromUrl } from '../../../src/plugin-api/mysql-accounts.ts';
import {
  type Backend,
  credentialViolations,
  type InstanceView,
  isBackendError,
} from '../../../src/plugin-api/index.ts';
import type { FakeAws } from '../../fakes/cloudformation/fake-aws.ts';
import { loginAndQuery, type PrivateMariadb, startMariadb } from '../../support/mariadb.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { ctx, instanceView, pollUntilDone, startAws } from './aws-test-backend.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

let fake: FakeAws;
let backend: Backend;
let mariadb: PrivateMariadb;

beforeAll(async () => {
  [{ fake, backend }, mariadb] = await Promise.all([startAws(), startMariadb()]);
  // The "RDS instance" the fake creates is this private MariaDB: credentials can be tried for real.
  fake.cloudFormation.attributeOverrides.set('AWS::RDS::DBInstance', {
    'Endpoint.Address': mariadb.host,
    'Endpoint.Port': String(mariadb.port),
  });
});
afterAll(async () => {
  await backend.close?.();
  await fake.close();
  await mariadb.stop();
});

async function provision(
  b: Backend,
  id: string,
  serviceId: string,
  planId: string,
  parameters = {},
): Promise<InstanceView> {
  const outcome = await b.provision(
    { instanceId: id, serviceId, planId, parameters, context: {}, acceptsIncomplete: true },
    ctx(),
  );
  if (outcome.state !== 'started') throw new Error('expected async');
  const instance = instanceView(id, serviceId, planId, outcome.output?.data ?? {});
  expect((await pollUntilDone(b, instance, 'provision', outcome.operation)).final.state).toBe('succeeded');
  return instance;
}

async function bind(b: Backend, instance: InstanceView, bindingId: string) {
  const outcome = await b.bind({ instance, bindingId, parameters: {}, context: {}, acceptsIncomplete: false }, ctx());
  if (outcome.state !== 'done') throw new Error('bind must be synchronous');
  return outcome.output;
}

function stackOutput(instance: InstanceView, key: string): string {
  const stack = fake.cloudFormation.stacks.find((s) => s.name === instance.data.stackName);
  return stack?.outputs.find((o) => o.OutputKey === key)?.OutputValue ?? '';
}

describe('aws bind', () => {
  it('gives each RDS MySQL binding its own user through the bind hook Lambda, and unbind drops it', async () => {
    const admin = mysqlAdminFromUrl(mariadb.url);
    const events: Array<Record<string, unknown>> = [];
    fake.lambdas.set('omnibroker-mysql-users', async (event) => {
      events.push(event);
      const username = String(event.username);
      if (event.action === 'unbind') {
        await dropDatabaseUser(admin, username);
        return { dropped: username };
      }
      const password = `pw-${username}-Xy9`;
      await createDatabaseUser(admin, { database: 'app', username, password });
      return { username, password };
    });
    await loginAndQuery({ ...admin, user: admin.user, sql: 'CREATE DATABASE IF NOT EXISTS app' });
    const instance = await provision(backend, 'inst-mysql-hook', 'rds-mysql', 'rds-mysql-small', {
      BindHookFunction: 'omnibroker-mysql-users',
    });
    const { credentials, data } = await bind(backend, instance, 'binding-1');
    const username = String(events[0]?.username);
    expect(events[0]).toMatchObject({ action: 'bind', instanceId: 'inst-mysql-hook', bindingId: 'binding-1' });
    expect(username).toMatch(/^b[0-9a-f]{15}$/);
    const password = `pw-${username}-Xy9`;
    expect(credentials).toEqual({
      type: 'mysql',
      provider: 'aws-rds',
      region: 'eu-west-1',
      host: mariadb.host,
      port: String(mariadb.port),
      database: 'app',
      username,
      password,
      uri: `mysql://${username}:${password}@${mariadb.host}:${mariadb.port}/app`,
      'jdbc-url': `jdbc:mysql://${mariadb.host}:${mariadb.port}/app`,
      'ssl-required': 'false',
    });
    expect(credentialViolations(credentials)).toEqual([]);
    const rows = await loginAndQuery({
      host: credentials.host as string,
      port: mariadb.port,
      user: username,
      password,
      database: 'app',
      sql: 'SELECT CURRENT_USER() AS u',
    });
    expect(JSON.stringify(rows)).toContain(username);

    await backend.unbind(
      {
        instance,
        binding: { id: 'binding-1', instanceId: instance.id, parameters: {}, data: data ?? {}, secrets: {} },
        acceptsIncomplete: false,
      },
      ctx(),
    );
    expect(events[1]).toMatchObject({ action: 'unbind', username });
    await expect(
      loginAndQuery({ host: mariadb.host, port: mariadb.port, user: username, password, sql: 'SELECT 1' }),
    ).rejects.toThrow();
  });

  it("fails a bind with the hook function's own error", async () => {
    fake.lambdas.set('broken-hook', async () => {
      throw new Error('could not reach the database: ETIMEDOUT');
    });
    const instance = await provision(backend, 'inst-mysql-broken', 'rds-mysql', 'rds-mysql-small', {
      BindHookFunction: 'broken-hook',
    });
    const error = await bind(backend, instance, 'binding-x').catch((e: unknown) => e);
    expect(isBackendError(error) && error.message).toContain('could not reach the database: ETIMEDOUT');
  });

  it('without a bind hook, an RDS PostgreSQL binding gets the shared master user from Secrets Manager', async () => {
    const instance = await provision(backend, 'inst-pg-1', 'rds-postgresql', 'rds-postgresql-small', {
      DatabaseName: 'orders',
    });
    const { credentials } = await bind(backend, instance, 'binding-pg');
    const master = JSON.parse(fake.secrets.get(stackOutput(instance, 'MasterSecretArn'))?.value ?? '{}') as Record<
      string,
      string
    >;
    expect(master.username).toBe('dbadmin');
    expect(credentials).toMatchObject({
      type: 'postgresql',
      provider: 'aws-rds',
      database: 'orders',
      username: 'dbadmin',
      password: master.password,
      port: String(mariadb.port),
      'jdbc-url': `jdbc:postgresql://${mariadb.host}:${mariadb.port}/orders`,
    });
    expect(credentials.uri).toBe(
      `postgresql://dbadmin:${encodeURIComponent(master.password as string)}@${mariadb.host}:${mariadb.port}/orders`,
    );
    expect(credentialViolations(credentials)).toEqual([]);
  });

  it('binds ElastiCache Redis with the AUTH token from Secrets Manager over TLS', async () => {
    const instance = await provision(backend, 'inst-redis-1', 'elasticache-redis', 'elasticache-redis-small');
    const { credentials } = await bind(backend, instance, 'binding-redis');
    const host = stackOutput(instance, 'PrimaryEndpointAddress');
    const token = JSON.parse(fake.secrets.get(stackOutput(instance, 'AuthTokenSecretArn'))?.value ?? '{}')
      .password as string;
    expect(credentials).toEqual({
      type: 'redis',
      provider: 'aws-elasticache',
      region: 'eu-west-1',
      host,
      port: '6379',
      password: token,
      ssl: 'true',
      url: `rediss://:${token}@${host}:6379`,
    });
    expect(credentialViolations(credentials)).toEqual([]);
  });

  it('resolves outputs that name SSM parameters, with templates read from an S3 bucket', async () => {
    fake.objects.set(
      'broker-templates/services/app-config.yaml',
      readFileSync(join(FIXTURES, 'app-config.yaml'), 'utf8'),
    );
    fake.objects.set('broker-templates/services/README.txt', 'not a template');
    const { default: definition } = await import('../../../src/backends/aws/index.ts');
    const fromBucket = await definition.create(
      {
        region: 'eu-west-1',
        endpoint: fake.url,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
        templatesBucket: 'broker-templates',
        templatesPrefix: 'services/',
        retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
      },
      { name: 'aws', log: ctx().log, configDir: process.cwd() },
    );
    const catalog = await fromBucket.catalog(ctx());
    expect(catalog.services.map((s) => s.name)).toEqual(['app-config']);
    const instance = await provision(fromBucket, 'inst-cfg-1', 'app-config', 'app-config-default', { Flags: 'beta' });
    const { credentials } = await bind(fromBucket, instance, 'b-cfg');
    const name = stackOutput(instance, 'SettingsParameterName');
    expect(fake.parameters.get(name)).toBe('{"flags":"beta"}');
    expect(credentials).toEqual({
      type: 'app-config',
      provider: 'aws-ssm',
      region: 'eu-west-1',
      'settings-parameter': name,
      'feature-flags': 'beta',
    });
    expect(fake.calls).toContain('AmazonSSM.GetParameter');
    await fromBucket.close?.();
  });

  it('ships exactly the templates the catalog lists', () => {
    expect(readdirSync(SHIPPED_TEMPLATES).sort()).toEqual([
      'dynamodb-table.yaml',
      'elasticache-redis.yaml',
      'rds-mysql.yaml',
      'rds-postgresql.yaml',
      's3-bucket.yaml',
      'sqs-queue.yaml',
    ]);
  });
});

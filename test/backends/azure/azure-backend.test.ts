import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, credentialViolations, isBackendError } from '../../../src/plugin-api/index.ts';
import { databaseUserExists } from '../../../src/plugin-api/mysql-accounts.ts';
import {
  type AzureWorld,
  ctx,
  instanceFrom,
  pollUntilSettled,
  startAzureWorld,
  TOKEN_WITHOUT_ROLE,
  tokenOf,
} from './azure-world.ts';
import mysql from 'mysql2/promise';

let world: AzureWorld;

beforeAll(async () => {
  world = await startAzureWorld();
});

afterAll(async () => {
  await world?.stop();
});

async function provisioned(backend: Backend, id: string, planId: string, parameters: Record<string, unknown> = {}) {
  const serviceId = planId.split('.')[0] ?? '';
  const outcome = await backend.provision(
    { instanceId: id, serviceId, planId, parameters, context: {}, acceptsIncomplete: true },
    ctx(),
  );
  const instance = instanceFrom(id, serviceId, planId, parameters, outcome);
  return { instance, outcome, settle: () => pollUntilSettled(backend, instance, 'provision', tokenOf(outcome)) };
}

async function rejection(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBackendError(error)) throw new Error(`expected a BackendError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

async function login(credentials: Record<string, string>, tls: boolean) {
  return mysql.createConnection({
    host: credentials.host ?? '',
    port: Number(credentials.port),
    user: credentials.username ?? '',
    password: credentials.password ?? '',
    database: credentials.database ?? '',
    ...(tls ? { ssl: { ca: world.tls.cert } } : {}),
  });
}

const serverRequests = (name: string, method: string) =>
  world.arm.requests.filter((r) => r.method === method && r.path.endsWith(`/flexibleServers/${name}`));

describe('azure backend against a fake ARM and a TLS-only mariadbd', () => {
  it('publishes OSBA-like services with draft-04 schemas and maintenance_info', async () => {
    const catalog = await (await world.backend()).catalog(ctx());
    expect(catalog.services.map((s) => s.name)).toEqual(['mysql', 'mysql-dbms', 'mysql-database']);
    const plans = catalog.services.flatMap((s) => s.plans);
    expect(new Set(plans.map((p) => p.id)).size).toBe(plans.length);
    expect(catalog.services[0]?.plans.map((p) => p.name)).toEqual([
      'burstable',
      'general-purpose',
      'business-critical',
    ]);
    for (const service of catalog.services) expect(service.tags).toContain('mysql');
    for (const plan of plans) {
      const create = plan.schemas?.service_instance?.create?.parameters;
      expect(create?.$schema).toBe('http://json-schema.org/draft-04/schema#');
    }
    const burstable = catalog.services[0]?.plans[0];
    expect(burstable?.maintenance_info?.version).toBe('8.0.21');
    const properties = burstable?.schemas?.service_instance?.create?.parameters.properties as Record<string, unknown>;
    expect(Object.keys(properties).sort()).toEqual(
      ['backup_retention_days', 'firewall_rules', 'sku', 'storage_gb', 'version'].sort(),
    );
  });

  it('provisions server + database through the ARM LRO, binds a TLS user that sees only its database, unbinds it', async () => {
    const backend = await world.backend();
    await expect(
      rejection(
        backend.provision(
          {
            instanceId: 'sync',
            serviceId: 'mysql',
            planId: 'mysql.burstable',
            parameters: {},
            context: {},
            acceptsIncomplete: false,
          },
          ctx(),
        ),
      ),
    ).resolves.toMatchObject({ code: 'AsyncRequired' });

    const rule = { name: 'office', start_ip_address: '203.0.113.1', end_ip_address: '203.0.113.9' };
    const { instance, outcome, settle } = await provisioned(backend, 'aio-1', 'mysql.general-purpose', {
      firewall_rules: [rule],
      storage_gb: 32,
    });
    expect(outcome.state).toBe('started');
    expect(tokenOf(outcome)).not.toContain(String(instance.secrets.administratorLoginPassword));
    const server = String(instance.data.server);
    expect(world.arm.servers.get(server)?.state).toBe('Starting');

    const { status, descriptions } = await settle();
    expect(status.state).toBe('succeeded');
    expect(descriptions).toEqual(
      expect.arrayContaining([
        `create server ${server}: in progress`,
        `create firewall rule office on server ${server}: in progress`,
        `create database ${instance.data.database} on server ${server}: in progress`,
      ]),
    );
    const fake = world.arm.servers.get(server);
    expect(fake?.state).toBe('Ready');
    expect(fake?.sku).toEqual({ name: 'Standard_D2ds_v4', tier: 'GeneralPurpose' });
    expect([...(fake?.firewallRules.keys() ?? [])]).toEqual(['office']);
    expect(instance.data).toMatchObject({ fqdn: '127.0.0.1', storageGb: 32, version: '8.0.21' });

    const bound = await backend.bind(
      { instance, bindingId: 'bind-1', parameters: {}, context: {}, acceptsIncomplete: false },
      ctx(),
    );
    if (bound.state !== 'done') throw new Error('bind should finish at once');
    const creds = bound.output.credentials;
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toMatchObject({
      type: 'mysql',
      provider: 'azure-mysql-flexible',
      host: '127.0.0.1',
      database: String(instance.data.database),
      'ssl-required': 'true',
    });
    expect(creds.uri).toMatch(/^mysql:\/\/ob_u_[0-9a-f]+:[^@]+@127\.0\.0\.1:\d+\/ob_[0-9a-f]+\?ssl-mode=REQUIRED$/);

    const conn = await login(creds, true);
    try {
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY)');
      await conn.query('INSERT INTO t VALUES (1)');
      const [dbs] = await conn.query('SHOW DATABASES');
      expect((dbs as Array<{ Database: string }>).map((r) => r.Database).sort()).toEqual(
        ['information_schema', String(instance.data.database)].sort(),
      );
      await expect(conn.query('CREATE DATABASE other')).rejects.toThrow(/denied/i);
    } finally {
      await conn.end();
    }
    await expect(login(creds, false)).rejects.toThrow();

    const binding = {
      id: 'bind-1',
      instanceId: instance.id,
      parameters: {},
      data: bound.output.data ?? {},
      secrets: {},
    };
    await backend.unbind({ instance, binding, acceptsIncomplete: false }, ctx());
    await expect(login(creds, true)).rejects.toThrow(/denied/i);
    const root = { host: '127.0.0.1', port: world.db.port, user: 'root', password: '', tls: { ca: world.tls.cert } };
    expect(await databaseUserExists(root, creds.username ?? '')).toBe(false);
  });

  it('updates SKU, storage and backup retention; refuses to shrink storage', async () => {
    const backend = await world.backend();
    const { instance, settle } = await provisioned(backend, 'upd-1', 'mysql-dbms.burstable', { alias: 'upd-parent' });
    await settle();
    expect(world.arm.servers.get(String(instance.data.server))?.firewallRules.size).toBe(0);

    const update = await backend.update(
      {
        instance,
        planId: 'mysql-dbms.general-purpose',
        parameters: { storage_gb: 64, backup_retention_days: 14 },
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    const { status } = await pollUntilSettled(backend, instance, 'update', tokenOf(update));
    expect(status.state).toBe('succeeded');
    expect(instance.data).toMatchObject({
      sku: 'Standard_D2ds_v4',
      skuTier: 'GeneralPurpose',
      storageGb: 64,
      backupRetentionDays: 14,
    });

    await expect(
      rejection(
        backend.update(
          {
            instance,
            planId: 'mysql-dbms.general-purpose',
            parameters: { storage_gb: 32 },
            context: {},
            acceptsIncomplete: true,
          },
          ctx(),
        ),
      ),
    ).resolves.toMatchObject({ code: 'InvalidParameters', message: expect.stringContaining('cannot shrink') });
  });

  it('reports a failed deployment in Azure’s own words', async () => {
    const backend = await world.backend();
    world.arm.failNext('create-server', {
      code: 'ProvisioningDisabled',
      message: "Provisioning in requested region 'westeurope' is not supported for this subscription.",
    });
    const { status } = await (await provisioned(backend, 'fail-1', 'mysql.burstable')).settle();
    expect(status.state).toBe('failed');
    expect(status.description).toContain('ProvisioningDisabled');
    expect(status.description).toContain("Provisioning in requested region 'westeurope' is not supported");
  });

  it('rides out ARM throttling (429 + Retry-After) inside the SDK', async () => {
    const backend = await world.backend();
    world.arm.throttleNext(1, 1);
    const started = Date.now();
    const { instance, outcome } = await provisioned(backend, 'throttle-1', 'mysql.burstable');
    expect(outcome.state).toBe('started');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const puts = serverRequests(String(instance.data.server), 'PUT').map((r) => r.status);
    expect(puts).toEqual([429, 201]);
  });

  it('resumes the same ARM operation from its token in a fresh backend instance (a broker restart)', async () => {
    const first = await world.backend();
    const { instance, outcome } = await provisioned(first, 'restart-1', 'mysql.burstable');
    const once = await first.lastOperation?.({ instance, kind: 'provision', operation: tokenOf(outcome) }, ctx());
    expect(once?.state).toBe('in progress');

    const second = await world.backend();
    const { status } = await pollUntilSettled(second, instance, 'provision', once?.operation ?? tokenOf(outcome));
    expect(status.state).toBe('succeeded');
    expect(serverRequests(String(instance.data.server), 'PUT')).toHaveLength(1);
  });

  it('deletes a server; a failed delete reports Azure’s error and a retry succeeds', async () => {
    const backend = await world.backend();
    const { instance, settle } = await provisioned(backend, 'del-1', 'mysql.burstable');
    await settle();
    const server = String(instance.data.server);

    world.arm.failNext('delete-server', {
      code: 'InternalServerError',
      message: 'An unexpected error occured while processing the request. Tracking ID: 3b1f',
    });
    const failing = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    const failed = await pollUntilSettled(backend, instance, 'deprovision', tokenOf(failing));
    expect(failed.status.state).toBe('failed');
    expect(failed.status.description).toContain('An unexpected error occured while processing the request');
    expect(world.arm.servers.get(server)?.state).toBe('Ready');

    const retry = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    const retried = await pollUntilSettled(backend, instance, 'deprovision', tokenOf(retry));
    expect(retried.status.state).toBe('succeeded');
    expect(world.arm.servers.has(server)).toBe(false);

    const again = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    expect(again.state).toBe('done');
  });

  it('puts database-only instances on a DBMS named by alias: the child waits, the parent with children stays', async () => {
    const backend = await world.backend({ administratorLogin: 'dbmsadmin' });
    const parent = await provisioned(backend, 'dbms-1', 'mysql-dbms.burstable', { alias: 'team-a' });
    await expect(
      rejection(
        backend.provision(
          {
            instanceId: 'dbms-2',
            serviceId: 'mysql-dbms',
            planId: 'mysql-dbms.burstable',
            parameters: { alias: 'team-a' },
            context: {},
            acceptsIncomplete: true,
          },
          ctx(),
        ),
      ),
    ).resolves.toMatchObject({ code: 'Conflict' });
    await expect(
      rejection(
        backend.provision(
          {
            instanceId: 'db-x',
            serviceId: 'mysql-database',
            planId: 'mysql-database.database',
            parameters: { parent_alias: 'nobody' },
            context: {},
            acceptsIncomplete: true,
          },
          ctx(),
        ),
      ),
    ).resolves.toMatchObject({ code: 'InvalidParameters' });

    const child = await provisioned(backend, 'db-1', 'mysql-database.database', { parent_alias: 'team-a' });
    const waiting = await backend.lastOperation?.(
      { instance: child.instance, kind: 'provision', operation: tokenOf(child.outcome) },
      ctx(),
    );
    expect(waiting).toMatchObject({ state: 'in progress', description: expect.stringContaining('waiting for parent') });

    expect((await parent.settle()).status.state).toBe('succeeded');
    expect((await child.settle()).status.state).toBe('succeeded');

    await expect(
      rejection(backend.deprovision({ instance: parent.instance, acceptsIncomplete: true }, ctx())),
    ).resolves.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining(String(child.instance.data.database)),
    });

    // The child never saw its parent's secrets: it reaches the server with the derived admin password.
    const bound = await backend.bind(
      { instance: child.instance, bindingId: 'db-1-bind', parameters: {}, context: {}, acceptsIncomplete: false },
      ctx(),
    );
    if (bound.state !== 'done') throw new Error('bind should finish at once');
    expect(credentialViolations(bound.output.credentials)).toEqual([]);
    const conn = await login(bound.output.credentials, true);
    await conn.end();

    const gone = await backend.deprovision({ instance: child.instance, acceptsIncomplete: true }, ctx());
    expect((await pollUntilSettled(backend, child.instance, 'deprovision', tokenOf(gone))).status.state).toBe(
      'succeeded',
    );
    const parentGone = await backend.deprovision({ instance: parent.instance, acceptsIncomplete: true }, ctx());
    expect((await pollUntilSettled(backend, parent.instance, 'deprovision', tokenOf(parentGone))).status.state).toBe(
      'succeeded',
    );
  });

  it('keeps ARM’s text when it refuses a request', async () => {
    const backend = await world.backend({ credentials: { accessToken: 'wrong-token' } });
    const refused = await rejection(provisioned(backend, 'auth-1', 'mysql.burstable'));
    expect(refused.code).toBe('Internal');
    expect(refused.message).toContain('InvalidAuthenticationToken');
    expect(refused.message).toContain('check that endpoint and the credential');

    const withoutRole = await world.backend({ credentials: { accessToken: TOKEN_WITHOUT_ROLE } });
    const forbidden = await rejection(provisioned(withoutRole, 'auth-2', 'mysql.burstable'));
    expect(forbidden.code).toBe('Internal');
    expect(forbidden.message).toContain('AuthorizationFailed');
    expect(forbidden.message).toContain('lacks a role on the resource group');
  });
});

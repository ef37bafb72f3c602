import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysqlBackend from '../../../src/backends/mysql/index.ts';
import {
  type Backend,
  type BindingView,
  type Credentials,
  credentialViolations,
  type InstanceView,
} from '../../../src/plugin-api/index.ts';
import { databaseExists, databaseUserExists, mysqlAdminFromUrl } from '../../../src/plugin-api/mysql-accounts.ts';
import { type PrivateMariadb, startMariadb, loginAndQuery } from '../../support/mariadb.ts';
import { freePort, waitFor } from '../../support/ports.ts';
import { callContext, recordingLogger } from '../osb/call-context.ts';

const create = async (options: Parameters<typeof mysqlBackend.create>[0]) =>
  mysqlBackend.create(options, { name: 'shared', log: recordingLogger(), configDir: '.' });

async function provision(backend: Backend, id: string, planId = 'shared'): Promise<InstanceView> {
  const outcome = await backend.provision(
    { instanceId: id, serviceId: 'mysql', planId, parameters: {}, context: {}, acceptsIncomplete: false },
    callContext(),
  );
  if (outcome.state !== 'done') throw new Error('mysql provisions synchronously');
  return { id, serviceId: 'mysql', planId, parameters: {}, context: {}, data: outcome.output.data ?? {}, secrets: {} };
}

async function bind(backend: Backend, instance: InstanceView, bindingId: string) {
  const outcome = await backend.bind(
    { instance, bindingId, parameters: {}, context: {}, acceptsIncomplete: false },
    callContext(),
  );
  if (outcome.state !== 'done') throw new Error('mysql binds synchronously');
  const binding: BindingView = {
    id: bindingId,
    instanceId: instance.id,
    parameters: {},
    data: outcome.output.data ?? {},
    secrets: {},
  };
  return { credentials: outcome.output.credentials, binding };
}

const login = (c: Credentials, sql: string) =>
  loginAndQuery({ host: c.host ?? '', port: Number(c.port), user: c.username ?? '', password: c.password ?? '', sql });

describe('mysql backend against a private MariaDB', () => {
  let db: PrivateMariadb;
  let backend: Backend;
  beforeAll(async () => {
    db = await startMariadb();
    backend = await create({ url: db.url });
  });
  afterAll(() => db?.stop());

  it('gives each binding its own user that sees only its database, and cleans up', async () => {
    const admin = mysqlAdminFromUrl(db.url);
    const instance = await provision(backend, 'inst-1');
    const other = await provision(backend, 'inst-2');
    const database = String(instance.data.database);
    expect(database).toMatch(/^ob_[0-9a-f]{16}$/);
    expect(await databaseExists(admin, database)).toBe(true);
    expect(await provision(backend, 'inst-1')).toEqual(instance); // a repeated create is harmless

    const { credentials, binding } = await bind(backend, instance, 'bind-1');
    expect(credentialViolations(credentials)).toEqual([]);
    expect(credentials).toMatchObject({
      type: 'mysql',
      provider: 'shared-mysql',
      host: '127.0.0.1',
      port: String(db.port),
      database,
      'jdbc-url': `jdbc:mysql://127.0.0.1:${db.port}/${database}`,
    });
    expect(credentials.username).not.toBe('root');
    expect(await databaseUserExists(admin, credentials.username ?? '')).toBe(true);

    // The uri is usable as it is, and the user may work in its own database only.
    const conn = await mysql.createConnection(credentials.uri ?? '');
    await conn.query('CREATE TABLE notes (id INT PRIMARY KEY)');
    await conn.query('INSERT INTO notes VALUES (1)');
    await conn.end();
    const visible = (await login(credentials, 'SHOW DATABASES')) as Array<{ Database: string }>;
    expect(visible.map((row) => row.Database).sort()).toEqual([database, 'information_schema'].sort());
    await expect(login(credentials, `SELECT 1 FROM \`${String(other.data.database)}\`.dual`)).rejects.toThrow(
      /denied/i,
    );

    await backend.unbind({ instance, binding, acceptsIncomplete: false }, callContext());
    expect(await databaseUserExists(admin, credentials.username ?? '')).toBe(false);
    await expect(login(credentials, 'SELECT 1')).rejects.toThrow(/denied/i);
    expect(await backend.unbind({ instance, binding, acceptsIncomplete: false }, callContext())).toEqual({
      state: 'done',
      output: {},
    });

    const leftover = await bind(backend, instance, 'bind-never-unbound');
    await backend.deprovision({ instance, acceptsIncomplete: false }, callContext());
    expect(await databaseExists(admin, database)).toBe(false);
    expect(await databaseUserExists(admin, leftover.credentials.username ?? '')).toBe(false);
    expect(await databaseExists(admin, String(other.data.database))).toBe(true);
    expect(await backend.deprovision({ instance, acceptsIncomplete: false }, callContext())).toEqual({
      state: 'done',
      output: {},
    });
  });

  it('enforces the shared-small plan: five connections per binding', async () => {
    const instance = await provision(backend, 'small-1', 'shared-small');
    const { credentials } = await bind(backend, instance, 'small-bind');
    const open = await Promise.all(Array.from({ length: 5 }, () => mysql.createConnection(credentials.uri ?? '')));
    try {
      await expect(mysql.createConnection(credentials.uri ?? '')).rejects.toThrow(/max_user_connections/i);
    } finally {
      await Promise.all(open.map((c) => c.end()));
    }
  });

  it('refuses parameters and unknown plans as user errors', async () => {
    await expect(
      backend.provision(
        {
          instanceId: 'p',
          serviceId: 'mysql',
          planId: 'shared',
          parameters: { size: 1 },
          context: {},
          acceptsIncomplete: true,
        },
        callContext(),
      ),
    ).rejects.toMatchObject({ code: 'InvalidParameters' });
    await expect(
      backend.provision(
        { instanceId: 'p', serviceId: 'mysql', planId: 'huge', parameters: {}, context: {}, acceptsIncomplete: true },
        callContext(),
      ),
    ).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('closes its connection when the call deadline passes on a server that does not answer', async () => {
    const instance = await provision(backend, 'inst-locked');
    // A global read lock makes the server hold every DDL (CREATE USER, GRANT) until it is released.
    const holder = await mysql.createConnection({ ...mysqlAdminFromUrl(db.url) });
    const waiting = async () => {
      const [rows] = await holder.query(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'CREATE USER%' AND ID <> CONNECTION_ID()",
      );
      return (rows as unknown[]).length;
    };
    await holder.query('FLUSH TABLES WITH READ LOCK');
    try {
      const deadline = new AbortController();
      const bound = backend.bind(
        { instance, bindingId: 'bind-locked', parameters: {}, context: {}, acceptsIncomplete: false },
        callContext({ signal: deadline.signal }),
      );
      bound.catch(() => undefined);
      await waitFor(async () => (await waiting()) === 1, 5000, 'the CREATE USER to wait on the lock');
      expect(await waiting()).toBe(1);
      deadline.abort(new Error('deadline exceeded'));
      await expect(bound).rejects.toThrow(/create user .*deadline exceeded/);
      // The waiting statement's connection is gone from the server, not left holding a thread until the lock ends.
      await waitFor(async () => (await waiting()) === 0, 5000, 'the waiting statement to go');
      expect(await waiting()).toBe(0);
    } finally {
      await holder.query('UNLOCK TABLES');
      await holder.end();
    }
  });

  it('answers health with the server version', async () => {
    expect(await backend.health!(callContext())).toEqual({ ok: true, detail: expect.stringMatching(/MariaDB/) });
  });
});

describe('mysql backend with its server down', () => {
  it('answers Unavailable naming host:port, and an unhealthy health()', async () => {
    const port = await freePort();
    const down = await create({ url: `mysql://root@127.0.0.1:${port}`, connectTimeoutMs: 1_000 });
    const request = {
      instanceId: 'x',
      serviceId: 'mysql',
      planId: 'shared',
      parameters: {},
      context: {},
      acceptsIncomplete: true,
    };
    await expect(down.provision(request, callContext())).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
    expect(await down.catalog(callContext())).toMatchObject({
      services: [{ id: 'mysql', tags: ['mysql', 'relational'] }],
    });
    expect(await down.health!(callContext())).toEqual({
      ok: false,
      detail: expect.stringContaining(`127.0.0.1:${port}`),
    });
  });
});

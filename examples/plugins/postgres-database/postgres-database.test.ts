import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { backendContract } from '../../../test/contract/backend-contract.ts';
import postgresDatabase from './index.ts';

// The machine's PostgreSQL (trust auth); override with POSTGRES_ADMIN_URL.
const ADMIN_URL = process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const options = { url: ADMIN_URL, databasePrefix: `ct${process.pid}_` };

backendContract({
  name: 'postgres-database',
  definition: postgresDatabase,
  options,
  sample: { serviceId: 'postgresql-database', planId: 'standard' },
});

describe('postgres-database bindings', () => {
  const log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
  const ctx = () => ({ signal: AbortSignal.timeout(20_000), log });
  const backendPromise = Promise.resolve(
    postgresDatabase.create(
      { ...options, provider: 'shared-postgresql', connectTimeoutMs: 5000 },
      { name: 'pg', log, configDir: process.cwd() },
    ),
  );
  const other = `pg-other-${process.pid}`;
  const instance = {
    id: `pg-bindings-${process.pid}`,
    serviceId: 'postgresql-database',
    planId: 'standard',
    parameters: {},
    context: {},
    data: {},
    secrets: {},
  };

  afterAll(async () => {
    const backend = await backendPromise;
    await backend.deprovision({ instance, acceptsIncomplete: false }, ctx());
    await backend.deprovision({ instance: { ...instance, id: other }, acceptsIncomplete: false }, ctx());
  });

  it('lets two bindings log in and share the tables of their own database only', async () => {
    const backend = await backendPromise;
    const provision = async (instanceId: string) => {
      const outcome = await backend.provision(
        { ...instance, instanceId, parameters: {}, context: {}, acceptsIncomplete: false },
        ctx(),
      );
      if (outcome.state !== 'done') throw new Error('expected a synchronous provision');
      return String(outcome.output.data?.database);
    };
    const view = { ...instance, data: { database: await provision(instance.id) } };
    const otherDatabase = await provision(other);
    const bindOne = async (bindingId: string) => {
      const outcome = await backend.bind(
        { instance: view, bindingId, parameters: {}, context: {}, acceptsIncomplete: false },
        ctx(),
      );
      if (outcome.state !== 'done') throw new Error('expected a synchronous bind');
      return outcome.output.credentials;
    };
    const first = await bindOne('one');
    const second = await bindOne('two');
    const asFirst = new pg.Client({ connectionString: first.uri });
    await asFirst.connect();
    await asFirst.query('CREATE TABLE notes (text varchar(20))');
    await asFirst.query('INSERT INTO notes VALUES ($1)', ['hello']);
    await asFirst.end();
    const asSecond = new pg.Client({ connectionString: second.uri });
    await asSecond.connect();
    const rows = await asSecond.query('SELECT text FROM notes');
    await asSecond.end();
    expect(rows.rows).toEqual([{ text: 'hello' }]);
    const elsewhere = new pg.Client({ connectionString: first.uri?.replace(/\/[^/]+$/, `/${otherDatabase}`) });
    await expect(elsewhere.connect()).rejects.toThrow(/permission denied/);
    await elsewhere.end().catch(() => undefined);
  });
});

import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialViolations } from '../../../src/plugin-api/index.ts';
import { startBrokerProcess } from '../../support/broker-process.ts';
import { startHarness } from '../../support/harness.ts';
import { startRedis } from '../../support/redis.ts';
import { type AzureWorld, startAzureWorld } from './azure-world.ts';

let world: AzureWorld;

beforeAll(async () => {
  // Slow operations (8 status polls each) so that a broker can die while one is running.
  world = await startAzureWorld({ pollsPerOperation: 8 });
});

afterAll(async () => {
  await world?.stop();
});

const ids = { service_id: 'azure.mysql', plan_id: 'azure.mysql.burstable' };

describe('azure backend behind the whole broker', () => {
  it('runs provision, bind, unbind and deprovision over OSB', async () => {
    const harness = await startHarness({ backends: [{ name: 'azure', type: 'azure', options: world.options() }] });
    try {
      const { client } = harness;
      const catalog = await client.catalog();
      const names = (catalog.body.services as Array<{ name: string }>).map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['azure-mysql', 'azure-mysql-dbms', 'azure-mysql-database']));

      const provision = await client.provision('gw-1', ids);
      expect(provision.status).toBe(202);
      expect(await client.waitForInstance('gw-1', provision.body.operation as string | undefined)).toMatchObject({
        state: 'succeeded',
      });

      const bind = await client.bind('gw-1', 'gw-1-b', ids);
      expect(bind.status).toBe(201);
      const creds = (bind.body.credentials ?? {}) as Record<string, string>;
      expect(credentialViolations(creds)).toEqual([]);
      const conn = await mysql.createConnection({
        host: creds.host ?? '',
        port: Number(creds.port),
        user: creds.username ?? '',
        password: creds.password ?? '',
        database: creds.database ?? '',
        ssl: { ca: world.tls.cert },
      });
      await conn.query('SELECT 1');
      await conn.end();

      expect((await client.unbind('gw-1', 'gw-1-b', ids)).status).toBe(200);
      const gone = await client.deprovision('gw-1', ids);
      expect(gone.status).toBe(202);
      const final = await client.waitForInstance('gw-1', gone.body.operation as string | undefined);
      expect(['succeeded', 'gone']).toContain(final.state);
    } finally {
      await harness.close();
    }
  });

  it('after a kill -9 mid-provision, the restarted broker finishes the same ARM operation', async () => {
    const redis = await startRedis();
    const broker = await startBrokerProcess({
      state: { type: 'redis', url: redis.url },
      backends: [{ name: 'azure', type: 'azure', breaker: { timeoutMs: 900 }, options: world.options() }],
      operations: { minPollIntervalMs: 0, sweepIntervalMs: 200, leaseTtlMs: 1000 },
    });
    try {
      const provision = await broker.client.provision('crash-1', ids);
      expect(provision.status).toBe(202);
      const serverOf = () => [...world.arm.servers.values()].find((s) => s.tags['omnibroker-instance'] === 'crash-1');
      expect(serverOf()?.state).toBe('Starting');
      await broker.restart();
      expect(
        await broker.client.waitForInstance('crash-1', provision.body.operation as string | undefined, 30_000),
      ).toMatchObject({ state: 'succeeded' });
      const puts = world.arm.requests.filter((r) => r.method === 'PUT' && /\/flexibleServers\/[^/]+$/.test(r.path));
      const serverPuts = new Map<string, number>();
      for (const put of puts) serverPuts.set(put.path, (serverPuts.get(put.path) ?? 0) + 1);
      const crashServer = serverOf();
      expect(crashServer?.state).toBe('Ready');
      expect(serverPuts.get(crashServer?.id ?? '')).toBe(1);
    } finally {
      await broker.dispose();
      await redis.stop();
    }
  }, 90_000);
});

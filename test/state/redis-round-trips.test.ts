import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/state/redis-store.ts';
import { startUpstreamBroker, type UpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, upstreamBackend } from '../support/harness.ts';
import { waitFor } from '../support/ports.ts';
import { type PrivateRedis, startRedis } from '../support/redis.ts';
import { recordingLog } from './store-test-helpers.ts';

/**
 * Every store round trip is on the path of the platform's call, so each OSB call has a budget of them. Counted by
 * Redis itself (`total_reads_processed`: one per batch of commands it reads), so the numbers are exact, not timed.
 */
describe('store round trips per OSB call on Redis state (sync upstream)', () => {
  let redis: PrivateRedis;
  let upstream: UpstreamBroker;
  let harness: Harness;
  let probe: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    upstream = await startUpstreamBroker({ mode: 'sync' });
    const { log, lines } = recordingLog();
    const store = new RedisStore({ type: 'redis', url: redis.url }, log);
    expect(await store.waitUntilReady(5000)).toBe(true);
    // The store's own start-up reads (the persistence check) are done before anything is counted.
    await waitFor(async () => lines.some((l) => /no persistence/.test(l.msg)), 5000, 'the persistence check');
    // No sweeps during the counts.
    harness = await startHarness({
      backends: [upstreamBackend(upstream.url)],
      store,
      tuning: { sweepIntervalMs: 600_000 },
    });
    probe = new Redis(redis.url);
  });
  afterAll(async () => {
    await probe?.quit();
    await harness?.close();
    await upstream?.stop();
    await redis?.stop();
  });

  const roundTrips = async (call: () => Promise<{ status: number }>, status: number) => {
    const reads = async () => Number(/total_reads_processed:(\d+)/.exec(await probe.info('stats'))?.[1]);
    // Quiet first: only the probe's own INFO reads between two looks 100 ms apart.
    let before = await reads();
    for (let settled = false; !settled; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await reads();
      settled = now === before + 1;
      before = now;
    }
    expect((await call()).status).toBe(status);
    // The INFO that reads the count is itself one read.
    return (await reads()) - before - 1;
  };

  it('provision 4, last_operation 1, bind 6, unbind 5, deprovision 7', async () => {
    const ids = { service_id: 'up.svc-postgres', plan_id: 'up.plan-small' };
    const { client } = harness;
    expect(await roundTrips(() => client.provision('rt-1', ids, false), 201)).toBeLessThanOrEqual(4);
    expect(await roundTrips(() => client.lastOperation('rt-1'), 200)).toBe(1);
    expect(await roundTrips(() => client.bind('rt-1', 'rt-b', ids), 201)).toBeLessThanOrEqual(6);
    expect(await roundTrips(() => client.unbind('rt-1', 'rt-b', ids, false), 200)).toBeLessThanOrEqual(5);
    expect(await roundTrips(() => client.deprovision('rt-1', ids, false), 200)).toBeLessThanOrEqual(7);
  });

  it('deprovision forgets any number of bindings in one round trip', async () => {
    const ids = { service_id: 'up.svc-postgres', plan_id: 'up.plan-small' };
    const { client } = harness;
    expect((await client.provision('rt-2', ids, false)).status).toBe(201);
    for (const b of ['rt-2a', 'rt-2b', 'rt-2c', 'rt-2d']) expect((await client.bind('rt-2', b, ids)).status).toBe(201);
    expect(await roundTrips(() => client.deprovision('rt-2', ids, false), 200)).toBeLessThanOrEqual(7);
    expect(await harness.store.list('binding', { idPrefix: 'rt-2/' })).toEqual([]);
  });
});

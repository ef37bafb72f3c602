/**
 * Fault 3: kill -9 of redis-server (AOF on) under load, for 3 s and for 15 s. Expected: no
 * 500s, 503 + Retry-After within 2 s of the kill, recovery without restarting the broker, and every record
 * acknowledged before the kill still there afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.ts';
import type { PrivateRedis } from '../support/redis.ts';
import { eventually, FAST_OPERATIONS, IDS, osbBackend, settled, sleep } from './fixture.ts';
import { type Sample, startLoad } from './load.ts';
import { type FaultState, redisState } from './state-servers.ts';

const OUTAGES_MS = [3_000, 15_000];

describe('kill -9 of redis-server under load', () => {
  let state: FaultState & { redis: PrivateRedis };
  let upstream: UpstreamBrokerProcess;
  let broker: BrokerProcess;

  beforeAll(async () => {
    state = await redisState();
    upstream = await spawnUpstreamBroker({ asyncMs: 200 });
    broker = await startBrokerProcess({
      state: state.config,
      backends: [osbBackend('up', upstream)],
      operations: FAST_OPERATIONS,
    });
  });
  const summary: unknown[] = [];
  afterAll(async () => {
    if (summary.length > 0) process.stdout.write(`redis outage summary: ${JSON.stringify(summary)}\n`);
    await broker?.dispose();
    await upstream?.stop();
    await state?.stop();
  });

  it.each(OUTAGES_MS)('for %i ms: 503 fast, never 500, heals, keeps what it acknowledged', async (outageMs) => {
    const pid = broker.pid;
    const acknowledged: string[] = [];
    const load = startLoad((i) => {
      const id = `outage-${outageMs}-${i}`;
      if (i % 3 === 2) return { label: 'catalog', send: () => broker.client.catalog() };
      if (i % 3 === 1 && acknowledged.length > 0) {
        const known = acknowledged[i % acknowledged.length] ?? id;
        return { label: 'last_operation', send: () => broker.client.lastOperation(known, IDS) };
      }
      return {
        label: 'provision',
        send: async () => {
          const res = await broker.client.provision(id, IDS);
          if (res.status === 202 || res.status === 201) acknowledged.push(id);
          return res;
        },
      };
    });
    await sleep(1_500);
    const ackedBeforeKill = [...acknowledged];
    const killedAt = Date.now();
    await state.redis.kill();
    await sleep(outageMs);
    await state.redis.start();
    const healedAt = Date.now();
    const recovered = await eventually(
      async () => {
        const res = await broker.client.provision(`outage-${outageMs}-probe`, IDS);
        return res.status === 202 || res.status === 200 ? Date.now() : undefined;
      },
      15_000,
      'a provision after redis-server came back',
    );
    await sleep(500);
    const samples = await load.stop();

    const during = samples.filter((s) => s.at >= killedAt && s.at < healedAt);
    const failures = samples.filter((s) => s.status === 0 || (s.status >= 500 && s.status !== 503));
    expect(failures.map(describeSample)).toEqual([]);
    const firstUnavailable = during.find((s) => s.status === 503);
    expect(firstUnavailable, 'a 503 while redis-server is down').toBeDefined();
    expect((firstUnavailable?.at ?? Number.POSITIVE_INFINITY) + (firstUnavailable?.ms ?? 0) - killedAt).toBeLessThan(
      2_000,
    );
    for (const s of during.filter((x) => x.status === 503)) {
      expect(s.retryAfter, describeSample(s)).toMatch(/^\d+$/);
      expect(s.ms, describeSample(s)).toBeLessThan(2_000);
    }
    expect(recovered - healedAt).toBeLessThan(10_000);
    expect(broker.pid).toBe(pid);
    expect(ackedBeforeKill.length).toBeGreaterThan(0);
    for (const id of ackedBeforeKill) {
      expect((await settled(broker.client, id)).state, id).toBe('succeeded');
      expect((await broker.client.getInstance(id)).status, id).toBe(200);
    }
    summary.push({
      outageMs,
      requests: samples.length,
      duringOutage: during.length,
      first503AfterMs: (firstUnavailable?.at ?? 0) + (firstUnavailable?.ms ?? 0) - killedAt,
      slowest503Ms: Math.max(...during.filter((x) => x.status === 503).map((x) => x.ms)),
      recoveredAfterMs: recovered - healedAt,
      ackedBeforeKill: ackedBeforeKill.length,
    });
  });
});

function describeSample(s: Sample): string {
  return `${s.label} ${s.status} after ${Math.round(s.ms)} ms: ${JSON.stringify(s.body)}`;
}

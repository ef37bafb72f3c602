/**
 * Fault 1: kill -9 of the broker at each crash point of provision, bind and deprovision. A restarted broker
 * (without the crash env) must drive last_operation to the upstream's true terminal state, with no duplicate
 * upstream create beyond an idempotent repeat and no untracked upstream instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.ts';
import { FAST_OPERATIONS, IDS, osbBackend, settled, upstreamHasInstance } from './fixture.ts';
import { dynamoState, type FaultState, redisState } from './state-servers.ts';

type Point = 'after-intent' | 'after-backend-call' | 'after-status-call';
const POINTS: Point[] = ['after-intent', 'after-backend-call', 'after-status-call'];

/** Which store each scenario runs on: every point on Redis; one point per kind again on DynamoDB. */
const STORES: Array<{ make: () => Promise<FaultState>; points: Point[] }> = [
  { make: () => redisState(), points: POINTS },
  { make: () => dynamoState(), points: ['after-backend-call'] },
];

describe.each(STORES)('kill -9 of the broker at a crash point ($points)', ({ make, points }) => {
  let state: FaultState;
  let upstream: UpstreamBrokerProcess;
  let broker: BrokerProcess;
  let seq = 0;

  beforeAll(async () => {
    state = await make();
    upstream = await spawnUpstreamBroker({ asyncMs: 300 });
    broker = await startBrokerProcess(
      { state: state.config, backends: [osbBackend('up', upstream)], operations: FAST_OPERATIONS },
      { env: state.env },
    );
  });
  afterAll(async () => {
    await broker?.dispose();
    await upstream?.stop();
    await state?.stop();
  });

  /** Restarts the broker armed at `at`, runs `trigger`, expects the crash, restarts it disarmed. */
  async function crashDuring(at: string, setup: () => Promise<void>, trigger: () => Promise<unknown>) {
    await broker.restart({ OMNIBROKER_CRASH_AT: at });
    await setup();
    const before = await upstream.calls();
    await trigger().catch(() => undefined);
    const exit = await Promise.race([
      broker.exited(),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    expect(exit?.signal, `the broker should have crashed at ${at}`).toBe('SIGKILL');
    await broker.restart();
    return before;
  }

  async function provisionReady(id: string) {
    const res = await broker.client.provision(id, IDS);
    expect(res.status).toBe(202);
    expect(await settled(broker.client, id)).toMatchObject({ state: 'succeeded' });
  }

  it.each(points)('provision: %s', async (point) => {
    const id = `crash-prov-${state.name}-${++seq}`;
    const before = await crashDuring(
      `${point}:provision`,
      async () => undefined,
      () => broker.client.provision(id, IDS),
    );
    expect(await settled(broker.client, id)).toMatchObject({ state: 'succeeded' });
    const after = await upstream.calls();
    const creates = after.provision - before.provision;
    // One create; a crash after the upstream answered may repeat it once (idempotent: same instance).
    expect(creates).toBeGreaterThanOrEqual(1);
    expect(creates).toBeLessThanOrEqual(point === 'after-backend-call' ? 2 : 1);
    expect(await upstreamHasInstance(upstream, id)).toBe(true);
    const instance = await broker.client.getInstance(id);
    expect(instance.status).toBe(200);
  });

  it.each(points)('bind: %s', async (point) => {
    const id = `crash-bind-${state.name}-${++seq}`;
    const before = await crashDuring(
      `${point}:bind`,
      () => provisionReady(id),
      () => broker.client.bind(id, 'b1', IDS, true),
    );
    expect(await settled(broker.client, id, { bindingId: 'b1' })).toMatchObject({ state: 'succeeded' });
    const binds = (await upstream.calls()).bind - before.bind;
    expect(binds).toBeGreaterThanOrEqual(1);
    expect(binds).toBeLessThanOrEqual(point === 'after-backend-call' ? 2 : 1);
    const binding = await broker.client.getBinding(id, 'b1');
    expect(binding.status).toBe(200);
    expect((binding.body.credentials as Record<string, unknown>).password).toEqual(expect.any(String));
  });

  it.each(points)('deprovision: %s', async (point) => {
    const id = `crash-deprov-${state.name}-${++seq}`;
    await crashDuring(
      `${point}:deprovision`,
      () => provisionReady(id),
      () => broker.client.deprovision(id, IDS),
    );
    expect((await settled(broker.client, id)).state).toMatch(/^(succeeded|gone)$/);
    expect(await upstreamHasInstance(upstream, id)).toBe(false);
    expect((await broker.client.getInstance(id)).status).toBe(404);
  });

  it('a provision that failed upstream across a crash stays deletable', async () => {
    const id = `crash-failed-${state.name}-${++seq}`;
    await crashDuring(
      'after-status-call:provision',
      () => upstream.setFailure({ nextProvisionFails: 'quota exhausted upstream' }),
      () => broker.client.provision(id, IDS),
    );
    expect(await settled(broker.client, id)).toMatchObject({ state: 'failed' });
    const deleted = await broker.client.deprovision(id, IDS);
    expect([200, 202]).toContain(deleted.status);
    expect((await settled(broker.client, id)).state).toMatch(/^(succeeded|gone)$/);
    expect(await upstreamHasInstance(upstream, id)).toBe(false);
  });
});

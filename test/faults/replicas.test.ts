/**
 * Fault 2: two broker processes on one store, driven concurrently. Identical PUTs split across both reach the
 * upstream once; a PATCH racing a DELETE on one instance ends consistently (DELETE accepted and done, PATCH
 * 202 or 422 ConcurrencyError, never a 5xx).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.ts';
import { FAST_OPERATIONS, IDS, osbBackend, settled, upstreamHasInstance } from './fixture.ts';
import { dynamoState, type FaultState, redisState } from './state-servers.ts';

describe.each([
  { store: 'redis', make: () => redisState() },
  { store: 'dynamodb', make: () => dynamoState() },
])('two replicas on one $store', ({ make }) => {
  let state: FaultState;
  let upstream: UpstreamBrokerProcess;
  let replicas: BrokerProcess[] = [];

  beforeAll(async () => {
    state = await make();
    upstream = await spawnUpstreamBroker({ asyncMs: 300 });
    const config = { state: state.config, backends: [osbBackend('up', upstream)], operations: FAST_OPERATIONS };
    replicas = await Promise.all([0, 1].map(() => startBrokerProcess(config, { env: state.env })));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.dispose()));
    await upstream?.stop();
    await state?.stop();
  });

  const replica = (i: number): BrokerProcess => {
    const r = replicas[i % replicas.length];
    if (r === undefined) throw new Error('no replica');
    return r;
  };

  it('identical PUTs split across both replicas reach the upstream once', async () => {
    const before = (await upstream.calls()).provision;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => replica(i).client.provision('dup-1', IDS)));
    for (const res of answers) {
      expect([202, 422], res.text).toContain(res.status);
      if (res.status === 422) expect(res.body.error).toBe('ConcurrencyError');
    }
    expect(answers.some((r) => r.status === 202)).toBe(true);
    expect(await settled(replica(1).client, 'dup-1')).toMatchObject({ state: 'succeeded' });
    expect((await upstream.calls()).provision - before).toBe(1);
    // A repeat after completion is answered from state on either replica, without calling the upstream.
    expect((await replica(0).client.provision('dup-1', IDS)).status).toBe(200);
    expect((await upstream.calls()).provision - before).toBe(1);
  });

  it.each([0, 1, 2, 3])('PATCH on one replica racing DELETE on the other (round %i)', async (round) => {
    const id = `race-${round}`;
    expect((await replica(0).client.provision(id, IDS)).status).toBe(202);
    expect(await settled(replica(0).client, id)).toMatchObject({ state: 'succeeded' });
    const patcher = replica(round);
    const deleter = replica(round + 1);
    const [patched, deleted] = await Promise.all([
      patcher.client.update(id, { service_id: IDS.service_id, parameters: { extensions: [`e${round}`] } }),
      deleter.client.deprovision(id, IDS),
    ]);
    expect([202, 422], patched.text).toContain(patched.status);
    if (patched.status === 422) expect(patched.body.error).toBe('ConcurrencyError');
    expect(deleted.status, deleted.text).toBe(202);
    expect((await settled(deleter.client, id, { operation: deleted.body.operation })).state).toMatch(
      /^(succeeded|gone)$/,
    );
    expect((await patcher.client.getInstance(id)).status).toBe(404);
    expect(await upstreamHasInstance(upstream, id)).toBe(false);
  });
});

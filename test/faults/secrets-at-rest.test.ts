/**
 * Fault 6: a dump of the whole store after binds, searched for the password the upstream returns and for a
 * parameter the plan marks secret. Expected: neither appears in clear (nor base64) in Redis, DynamoDB or
 * the broker's log output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../fakes/upstream-broker/default-catalog.ts';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.ts';
import { FAST_OPERATIONS, osbBackend, settled } from './fixture.ts';
import { dynamoState, type FaultState, redisState } from './state-servers.ts';

const UPSTREAM_PASSWORD = 'upstream-known-password-7f3a9c';
const SECRET_PARAMETER = 'admin-secret-parameter-41d2e8';
const LARGE = { service_id: 'up.svc-postgres', plan_id: 'up.plan-large' };

/** The default catalog with `adminPassword` marked secret on the large plan. */
function catalogWithSecretParameter(): unknown {
  const catalog = structuredClone(DEFAULT_CATALOG) as unknown as {
    services: Array<{ plans: Array<{ id: string; secretParameters?: string[] }> }>;
  };
  for (const plan of catalog.services.flatMap((s) => s.plans)) {
    if (plan.id === 'plan-large') plan.secretParameters = ['adminPassword'];
  }
  return catalog;
}

const forms = (secret: string) => [secret, Buffer.from(secret).toString('base64')];

describe.each([
  { store: 'redis', make: () => redisState() },
  { store: 'dynamodb', make: () => dynamoState() },
])('nothing secret in clear in $store', ({ make }) => {
  let state: FaultState;
  let upstream: UpstreamBrokerProcess;
  let broker: BrokerProcess;

  beforeAll(async () => {
    state = await make();
    upstream = await spawnUpstreamBroker({
      asyncMs: 100,
      credentials: { password: UPSTREAM_PASSWORD },
      catalog: catalogWithSecretParameter(),
    });
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

  it('after a provision with a secret parameter and two binds', async () => {
    const provision = await broker.client.provision('secret-1', {
      ...LARGE,
      parameters: { adminPassword: SECRET_PARAMETER, size: 'visible-size' },
    });
    expect(provision.status, provision.text).toBe(202);
    expect(await settled(broker.client, 'secret-1')).toMatchObject({ state: 'succeeded' });
    for (const bindingId of ['sb-1', 'sb-2']) {
      const bind = await broker.client.bind('secret-1', bindingId, LARGE, true);
      expect([201, 202], bind.text).toContain(bind.status);
      expect(await settled(broker.client, 'secret-1', { bindingId })).toMatchObject({ state: 'succeeded' });
      const fetched = await broker.client.getBinding('secret-1', bindingId);
      expect((fetched.body.credentials as Record<string, unknown>).password).toBe(UPSTREAM_PASSWORD);
    }

    const dump = await state.dump();
    // The dump is real: the records and their non-secret parameter are there.
    expect(dump).toContain('secret-1');
    expect(dump).toContain('visible-size');
    const logs = broker.output();
    for (const secret of [...forms(UPSTREAM_PASSWORD), ...forms(SECRET_PARAMETER)]) {
      expect(dump.includes(secret), `${secret} in the ${state.name} dump`).toBe(false);
      expect(logs.includes(secret), `${secret} in the broker's log output`).toBe(false);
    }
  });
});

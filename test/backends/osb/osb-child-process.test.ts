import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, InstanceView, OperationStatus } from '../../../src/plugin-api/index.ts';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../../fakes/upstream-broker/process.ts';
import { createOsbBackend } from './backend.ts';
import { callContext } from './call-context.ts';

const instance: InstanceView = {
  id: 'proc-1',
  serviceId: 'svc-postgres',
  planId: 'plan-small',
  parameters: {},
  context: {},
  data: {},
  secrets: {},
};
const binding = { id: 'proc-b', instanceId: 'proc-1', parameters: {}, data: {}, secrets: {} };

async function settle(poll: () => Promise<OperationStatus>): Promise<OperationStatus> {
  for (;;) {
    const status = await poll();
    if (status.state !== 'in progress') return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('osb backend against the upstream broker as a separate process', () => {
  let upstream: UpstreamBrokerProcess;
  let backend: Backend;
  beforeAll(async () => {
    upstream = await spawnUpstreamBroker({ asyncMs: 50, username: 'proc', password: 'proc-pw' });
    backend = await createOsbBackend({ url: upstream.url, username: 'proc', password: 'proc-pw', timeoutMs: 2_000 });
  });
  afterAll(() => upstream.stop());

  it('runs a lifecycle over real HTTP, then reports the killed upstream as unavailable', async () => {
    const ctx = callContext();
    const provision = await backend.provision(
      {
        instanceId: 'proc-1',
        serviceId: 'svc-postgres',
        planId: 'plan-small',
        parameters: { extensions: ['postgis'] },
        context: {},
        organizationGuid: 'o',
        spaceGuid: 's',
        acceptsIncomplete: true,
      },
      ctx,
    );
    if (provision.state !== 'started') throw new Error('expected an async provision');
    const operation = provision.operation;
    expect(await settle(() => backend.lastOperation!({ instance, kind: 'provision', operation }, ctx))).toEqual({
      state: 'succeeded',
    });
    const bind = await backend.bind(
      { instance, bindingId: 'proc-b', parameters: {}, context: {}, acceptsIncomplete: false },
      ctx,
    );
    expect(bind.state === 'done' && bind.output.credentials.username).toMatch(/^u_/);
    expect(await backend.unbind({ instance, binding, acceptsIncomplete: false }, ctx)).toEqual({
      state: 'done',
      output: {},
    });
    const deprovision = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx);
    if (deprovision.state !== 'started') throw new Error('expected an async deprovision');
    const deleting = deprovision.operation;
    expect(
      await settle(() => backend.lastOperation!({ instance, kind: 'deprovision', operation: deleting }, ctx)),
    ).toEqual({ state: 'succeeded' });
    expect(await upstream.calls()).toMatchObject({ provision: 1, bind: 1, unbind: 1, deprovision: 1 });

    await upstream.kill();
    const begun = Date.now();
    await expect(backend.catalog(ctx)).rejects.toMatchObject({ code: 'Unavailable' });
    expect(Date.now() - begun).toBeLessThan(1_000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, OsbClient } from '../../support/osb-client.ts';
import { waitFor } from '../../support/ports.ts';
import { startUpstreamBroker, type UpstreamBroker } from './index.ts';
import { spawnUpstreamBroker } from './process.ts';
import { UPSTREAM_DEFAULT_AUTH } from './options.ts';

const auth = UPSTREAM_DEFAULT_AUTH;
const small = { service_id: 'svc-postgres', plan_id: 'plan-small' };

describe('reference upstream broker (async mode)', () => {
  let broker: UpstreamBroker;
  let client: OsbClient;
  beforeAll(async () => {
    broker = await startUpstreamBroker({ asyncMs: 60 });
    client = new OsbClient(httpSender(broker.url), auth);
  });
  afterAll(() => broker.stop());

  it('checks the API version before auth, then the credentials', async () => {
    const noVersion = await fetch(`${broker.url}/v2/catalog`);
    expect(noVersion.status).toBe(412);
    expect(await noVersion.json()).toHaveProperty('description');
    const wrong = new OsbClient(httpSender(broker.url), { username: 'upstream', password: 'nope' });
    expect((await wrong.catalog()).status).toBe(401);
    const catalog = await client.catalog();
    expect(catalog.status).toBe(200);
    expect((catalog.body.services as unknown[]).length).toBe(2);
    expect(catalog.headers['content-type']).toContain('application/json');
  });

  it('walks the idempotency table for an async instance and binding', async () => {
    expect((await client.provision('i1', small, false)).body.error).toBe('AsyncRequired');
    const first = await client.provision('i1', small);
    expect(first.status).toBe(202);
    const again = await client.provision('i1', small);
    expect(again.status).toBe(202);
    expect(again.body.operation).toBe(first.body.operation);
    expect((await client.provision('i1', { ...small, plan_id: 'plan-large' })).status).toBe(409);
    expect((await client.lastOperation('i1', { operation: String(first.body.operation) })).body.state).toBe(
      'in progress',
    );
    expect(await client.waitForInstance('i1', String(first.body.operation))).toEqual({ state: 'succeeded' });
    expect((await client.provision('i1', small)).status).toBe(200);

    const bind = await client.bind('i1', 'b1', small, true);
    expect(bind.status).toBe(202);
    await client.waitForBinding('i1', 'b1', String(bind.body.operation));
    const fetched = await client.getBinding('i1', 'b1');
    expect(fetched.body.credentials).toMatchObject({ hostName: 'db.upstream.test', port: 5432 });
    expect((await client.bind('i1', 'b1', small)).status).toBe(200);
    expect((await client.bind('i1', 'b1', { ...small, parameters: { readOnly: true } })).status).toBe(409);
    const syncBind = await client.bind('i1', 'b2', small);
    expect(syncBind.status).toBe(201);

    const unbind = await client.unbind('i1', 'b1', small);
    expect(unbind.status).toBe(202);
    expect(await client.waitForBinding('i1', 'b1', String(unbind.body.operation))).toEqual({ state: 'gone' });
    expect((await client.unbind('i1', 'b1', small)).status).toBe(410);

    const del = await client.deprovision('i1', small);
    expect(del.status).toBe(202);
    expect((await client.deprovision('i1', small)).body.operation).toBe(del.body.operation);
    expect(await client.waitForInstance('i1', String(del.body.operation))).toEqual({ state: 'gone' });
    expect((await client.deprovision('i1', small)).status).toBe(410);
    expect(broker.calls.provision).toBe(5);
  });

  it('rejects wrong hints and unknown operations on last_operation', async () => {
    const first = await client.provision('i2', small);
    expect((await client.lastOperation('i2', { operation: 'provision' })).status).toBe(400);
    expect((await client.lastOperation('i2', { service_id: 'svc-queue' })).status).toBe(400);
    expect((await client.lastOperation('i2', { ...small, operation: String(first.body.operation) })).status).toBe(200);
  });

  it('injects failures: a failed provision, a status, a hang', async () => {
    broker.setFailure({ nextProvisionFails: 'quota exceeded in region x' });
    const op = await client.provision('i3', small);
    expect(await client.waitForInstance('i3', String(op.body.operation))).toEqual({
      state: 'failed',
      description: 'quota exceeded in region x',
    });
    broker.setFailure({ respond: { catalog: { status: 500, body: { description: 'boom' }, times: 1 } } });
    expect((await client.catalog()).body).toEqual({ description: 'boom' });
    expect((await client.catalog()).status).toBe(200);
    broker.setFailure({ hang: ['catalog'] });
    await expect(
      fetch(`${broker.url}/v2/catalog`, { headers: client.headers(), signal: AbortSignal.timeout(150) }),
    ).rejects.toThrow();
    broker.setFailure({});
  });
});

describe('reference upstream broker as a child process (sync mode)', () => {
  it('serves a sync lifecycle and reports its call counts', async () => {
    const upstream = await spawnUpstreamBroker({ mode: 'sync', username: 'u', password: 'p' });
    try {
      const client = new OsbClient(httpSender(upstream.url), { username: 'u', password: 'p' });
      expect((await client.provision('x', small, false)).status).toBe(201);
      expect((await client.bind('x', 'y', small)).status).toBe(201);
      expect((await client.unbind('x', 'y', small, false)).status).toBe(200);
      expect((await client.deprovision('x', small, false)).status).toBe(200);
      expect(await upstream.calls()).toMatchObject({ provision: 1, bind: 1, unbind: 1, deprovision: 1 });
      await upstream.setFailure({ respond: { catalog: { status: 503 } } });
      expect((await client.catalog()).status).toBe(503);
      await upstream.kill();
      await waitFor(
        async () =>
          !(await fetch(upstream.url).then(
            () => true,
            () => false,
          )),
        2000,
        'exit',
      );
    } finally {
      await upstream.stop();
    }
  });
});

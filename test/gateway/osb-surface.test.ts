import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, upstreamBackend } from '../support/harness.ts';

let upstream: UpstreamBroker;
let harness: Harness;
const SVC = 'up.svc-postgres';
const PLAN = 'up.plan-small';
const ids = { service_id: SVC, plan_id: PLAN };

beforeAll(async () => {
  upstream = await startUpstreamBroker({ asyncMs: 150 });
  harness = await startHarness({
    backends: [upstreamBackend(upstream.url)],
  });
});

afterAll(async () => {
  await harness?.close();
  await upstream?.stop();
});

describe('every request', () => {
  it('answers 412 with a JSON description when the API version is missing or not 2.x, before auth', async () => {
    const missing = await harness.client.raw({
      method: 'GET',
      path: '/v2/catalog',
      headers: { 'x-broker-api-version': '' },
    });
    expect(missing.status).toBe(412);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(missing.body.description).toMatch(/X-Broker-API-Version/);
    const three = await harness.client.raw({
      method: 'GET',
      path: '/v2/catalog',
      headers: { 'x-broker-api-version': '3.0', authorization: 'Basic bm86bm8=' },
    });
    expect(three.status).toBe(412);
  });

  it('accepts any 2.x version', async () => {
    for (const version of ['2.13', '2.14', '2.15', '2.17', '2.99']) {
      const res = await harness.client.raw({
        method: 'GET',
        path: '/v2/catalog',
        headers: { 'x-broker-api-version': version },
      });
      expect(res.status, version).toBe(200);
    }
  });

  it('answers 401 to wrong or missing credentials', async () => {
    const wrong = await harness.client.raw({
      method: 'GET',
      path: '/v2/catalog',
      headers: { authorization: 'Basic cGxhdGZvcm06bm9wZQ==' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.description).toBeTypeOf('string');
    const none = await harness.client.raw({ method: 'GET', path: '/v2/catalog', headers: { authorization: '' } });
    expect(none.status).toBe(401);
    // Same length, one character off; a prefix; an extension: the compare is by length first, then in constant time.
    for (const password of ['test-passwore', 'test-passwor', 'test-password2']) {
      const near = await harness.client.raw({
        method: 'GET',
        path: '/v2/catalog',
        headers: { authorization: `Basic ${Buffer.from(`platform:${password}`).toString('base64')}` },
      });
      expect(near.status, password).toBe(401);
    }
    const right = await harness.client.raw({
      method: 'GET',
      path: '/v2/catalog',
      headers: { authorization: `bAsIc ${Buffer.from('platform:test-password').toString('base64')}` },
    });
    expect(right.status).toBe(200);
  });

  it('echoes the request identity', async () => {
    const res = await harness.client.raw({
      method: 'GET',
      path: '/v2/catalog',
      headers: { 'x-broker-api-request-identity': 'req-42' },
    });
    expect(res.headers['x-broker-api-request-identity']).toBe('req-42');
    // Refusals before any route runs, and unknown routes, echo it too.
    const refused = await harness.client.raw({
      method: 'GET',
      path: '/v2/catalog',
      headers: { 'x-broker-api-request-identity': 'req-43', authorization: 'Basic bm86bm8=' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['x-broker-api-request-identity']).toBe('req-43');
    const unknown = await harness.client.raw({
      method: 'GET',
      path: '/v2/nowhere',
      headers: { 'x-broker-api-request-identity': 'req-44' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['x-broker-api-request-identity']).toBe('req-44');
  });

  it('answers malformed JSON, a non-object body and an oversized body with JSON 4xx', async () => {
    const bad = await harness.client.raw({
      method: 'PUT',
      path: '/v2/service_instances/x1?accepts_incomplete=true',
      body: '{"service_id":',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.description).toMatch(/not valid JSON/);
    const array = await harness.client.raw({
      method: 'PUT',
      path: '/v2/service_instances/x1?accepts_incomplete=true',
      body: '[1,2]',
    });
    expect(array.status).toBe(400);
    const huge = await harness.client.raw({
      method: 'PUT',
      path: '/v2/service_instances/x1?accepts_incomplete=true',
      body: JSON.stringify({ ...ids, parameters: { blob: 'x'.repeat(2_000_000) } }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.description).toMatch(/larger than/);
  });
});

describe('catalog', () => {
  it('namespaces ids and names and serves an ETag', async () => {
    const res = await harness.client.catalog();
    expect(res.status).toBe(200);
    const services = res.body.services as Array<{
      id: string;
      name: string;
      plans: Array<{ id: string; name: string }>;
    }>;
    expect(services.map((s) => s.id).sort()).toEqual(['up.svc-postgres', 'up.svc-queue']);
    expect(services.find((s) => s.id === SVC)?.name).toBe('up-postgres');
    expect(services.find((s) => s.id === SVC)?.plans.map((p) => p.id)).toEqual(['up.plan-small', 'up.plan-large']);
    const etag = res.headers.etag as string;
    const again = await harness.client.raw({ method: 'GET', path: '/v2/catalog', headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('provision validation', () => {
  const put = (body: Record<string, unknown>, accepts = true) => harness.client.provision('v-1', body, accepts);

  it.each([
    ['missing service_id', { plan_id: PLAN }, /service_id is required/],
    ['empty plan_id', { service_id: SVC, plan_id: '' }, /plan_id is required/],
    ['unknown service', { service_id: 'up.nope', plan_id: PLAN }, /not in the catalog/],
    ['plan of another service', { service_id: 'up.svc-queue', plan_id: PLAN }, /does not belong/],
    ['missing space', { ...ids, space_guid: '' }, /space_guid is required/],
    ['parameters against the schema', { ...ids, parameters: { extensions: 'not-an-array' } }, /parameters\.extensions/],
    ['unknown parameter', { ...ids, parameters: { wat: 1 } }, /unknown parameter "wat"/],
  ])('400 for %s', async (_name, body, description) => {
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.description).toMatch(description);
  });

  it('422 MaintenanceInfoConflict for a version the plan does not offer', async () => {
    const res = await put({ ...ids, maintenance_info: { version: '9.9.9' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('MaintenanceInfoConflict');
  });

  it('422 AsyncRequired when the backend must work asynchronously', async () => {
    const res = await put(ids, false);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('AsyncRequired');
  });
});

describe('idempotency and lifecycle', () => {
  it('provision: 202, same operation on re-send, 409 on a different body, 200 when finished', async () => {
    const first = await harness.client.provision('life-1', ids);
    expect(first.status).toBe(202);
    const operation = first.body.operation as string;
    expect(operation).toBeTypeOf('string');
    const again = await harness.client.provision('life-1', ids);
    expect(again.status).toBe(202);
    expect(again.body.operation).toBe(operation);
    const different = await harness.client.provision('life-1', { ...ids, plan_id: 'up.plan-large' });
    expect(different.status).toBe(409);
    expect(await harness.client.waitForInstance('life-1', operation)).toMatchObject({ state: 'succeeded' });
    expect((await harness.client.provision('life-1', ids)).status).toBe(200);
    const fetched = await harness.client.getInstance('life-1');
    expect(fetched.body).toMatchObject({ service_id: SVC, plan_id: PLAN });
  });

  it('bind: credentials on 201 and on a re-sent PUT, fetchable, unbind then 410', async () => {
    await harness.client.provision('life-2', ids);
    await harness.client.waitForInstance('life-2');
    const bind = await harness.client.bind('life-2', 'b-1', ids);
    expect(bind.status).toBe(201);
    const credentials = bind.body.credentials as Record<string, unknown>;
    expect(credentials).toHaveProperty('password');
    const again = await harness.client.bind('life-2', 'b-1', ids);
    expect(again.status).toBe(200);
    expect(again.body.credentials).toEqual(credentials);
    expect((await harness.client.bind('life-2', 'b-1', { ...ids, parameters: { readOnly: true } })).status).toBe(409);
    expect((await harness.client.getBinding('life-2', 'b-1')).body.credentials).toEqual(credentials);
    expect((await harness.client.unbind('life-2', 'b-1', ids, false)).status).toBe(200);
    expect((await harness.client.unbind('life-2', 'b-1', ids, false)).status).toBe(410);
    expect((await harness.client.getBinding('life-2', 'b-1')).status).toBe(404);
  });

  it('deprovision: 202, last_operation succeeded from the tombstone, then 410', async () => {
    await harness.client.provision('life-3', ids);
    await harness.client.waitForInstance('life-3');
    const del = await harness.client.deprovision('life-3', ids);
    expect(del.status).toBe(202);
    const operation = del.body.operation as string;
    expect((await harness.client.deprovision('life-3', ids)).body.operation).toBe(operation);
    expect(await harness.client.waitForInstance('life-3', operation)).toMatchObject({ state: 'succeeded' });
    expect((await harness.client.deprovision('life-3', ids)).status).toBe(410);
    expect(upstream.state.instances.get('life-3')?.status ?? 'deleted').toBe('deleted');
  });

  it('deprovision forgets the bindings of that instance only (ids that merely share a prefix stay)', async () => {
    for (const id of ['life-4', 'life-40']) {
      await harness.client.provision(id, ids);
      await harness.client.waitForInstance(id);
      expect((await harness.client.bind(id, 'b-1', ids)).status).toBe(201);
    }
    const del = await harness.client.deprovision('life-4', ids);
    await harness.client.waitForInstance('life-4', del.body.operation as string);
    expect((await harness.client.getBinding('life-4', 'b-1')).status).toBe(404);
    expect((await harness.store.get('binding', 'life-4/b-1'))?.value).toBeUndefined();
    expect((await harness.client.getBinding('life-40', 'b-1')).status).toBe(200);
  });

  it('refuses instance and binding ids holding "/" (an encoded %2F), which would alias another record', async () => {
    const body = { ...ids, organization_guid: 'org', space_guid: 'space' };
    const instance = await harness.client.raw({ method: 'PUT', path: '/v2/service_instances/life-5%2Fb-1', body });
    expect(instance.status).toBe(400);
    expect(instance.body.description).toMatch(/instance_id must not contain "\/"/);
    const binding = await harness.client.raw({
      method: 'PUT',
      path: '/v2/service_instances/life-5/service_bindings/b%2F2',
      body: ids,
    });
    expect(binding.status).toBe(400);
    expect(binding.body.description).toMatch(/binding_id must not contain "\/"/);
    expect(await harness.store.get('instance', 'life-5/b-1')).toBeUndefined();
    expect(upstream.state.instances.has('life-5/b-1')).toBe(false);
  });

  it('DELETE needs service_id and plan_id', async () => {
    const res = await harness.client.raw({
      method: 'DELETE',
      path: '/v2/service_instances/life-1?accepts_incomplete=true',
    });
    expect(res.status).toBe(400);
  });

  it('a DELETE during a running provision is accepted and leaves nothing behind', async () => {
    const put = await harness.client.provision('life-4', ids);
    expect(put.status).toBe(202);
    const del = await harness.client.deprovision('life-4', ids);
    expect(del.status).toBe(202);
    expect(del.body.operation).not.toBe(put.body.operation);
    expect(await harness.client.waitForInstance('life-4', del.body.operation as string, 10_000)).toMatchObject({
      state: 'succeeded',
    });
    expect(upstream.state.instances.get('life-4')?.status ?? 'deleted').toBe('deleted');
  });

  it('PATCH: plan change and 422 while another operation runs', async () => {
    await harness.client.provision('life-5', ids);
    const busy = await harness.client.update('life-5', { service_id: SVC, plan_id: 'up.plan-large' });
    expect(busy.status).toBe(422);
    expect(busy.body.error).toBe('ConcurrencyError');
    await harness.client.waitForInstance('life-5');
    const patch = await harness.client.update('life-5', { service_id: SVC, plan_id: 'up.plan-large' });
    expect(patch.status).toBe(202);
    expect(await harness.client.waitForInstance('life-5', patch.body.operation as string)).toMatchObject({
      state: 'succeeded',
    });
    expect((await harness.client.getInstance('life-5')).body.plan_id).toBe('up.plan-large');
  });

  it('20 identical concurrent PUTs reach the backend once', async () => {
    const before = upstream.calls.provision;
    const answers = await Promise.all(Array.from({ length: 20 }, () => harness.client.provision('race-1', ids)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 202 || s === 422)).toBe(true);
    const operations = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.operation));
    expect(operations.size).toBe(1);
    expect(upstream.calls.provision - before).toBe(1);
  });

  it('last_operation of an unknown instance is 404 with a description', async () => {
    const res = await harness.client.lastOperation('never-was');
    expect(res.status).toBe(404);
    expect(res.body.description).toMatch(/does not exist/);
  });

  it('a failed provision reports the backend text and stays deletable', async () => {
    upstream.setFailure({ nextProvisionFails: 'quota exceeded in region x' });
    const put = await harness.client.provision('fail-1', ids);
    expect(put.status).toBe(202);
    const final = await harness.client.waitForInstance('fail-1');
    expect(final).toMatchObject({ state: 'failed' });
    expect(final.description).toMatch(/quota exceeded in region x/);
    const del = await harness.client.deprovision('fail-1', ids);
    expect([200, 202]).toContain(del.status);
    if (del.status === 202) await harness.client.waitForInstance('fail-1', del.body.operation as string);
    expect((await harness.client.deprovision('fail-1', ids)).status).toBe(410);
  });
});

describe('deeply nested bodies', () => {
  it('answers 400 with a description, and the broker keeps working', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const body = `{"service_id":"${SVC}","plan_id":"${PLAN}","parameters":${deep}}`;
    const res = await harness.client.raw({ method: 'PATCH', path: '/v2/service_instances/life-1', body });
    expect(res.status).toBe(400);
    expect(res.body.description).toMatch(/nested deeper than 64 levels/);
    expect((await harness.client.catalog()).status).toBe(200);
  });
});

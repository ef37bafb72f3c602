import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  credentialViolations,
  type InstanceView,
  type OperationStatus,
} from '../../../src/plugin-api/index.ts';
import { DEFAULT_CATALOG, startUpstreamBroker, type UpstreamBroker } from '../../fakes/upstream-broker/index.ts';
import { createOsbBackend } from './backend.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../../fakes/upstream-broker/options.ts';
import { callContext } from './call-context.ts';

const instanceView = (id: string, planId = 'plan-small'): InstanceView => ({
  id,
  serviceId: 'svc-postgres',
  planId,
  parameters: {},
  context: {},
  data: {},
  secrets: {},
});

const provisionRequest = (instanceId: string, acceptsIncomplete = true) => ({
  instanceId,
  serviceId: 'svc-postgres',
  planId: 'plan-small',
  parameters: {},
  context: { platform: 'cloudfoundry' },
  organizationGuid: 'org-1',
  spaceGuid: 'space-1',
  acceptsIncomplete,
});

/** Polls like the broker does, until the status leaves `in progress`. */
async function settle<T>(poll: () => Promise<OperationStatus<T>>): Promise<OperationStatus<T>> {
  for (;;) {
    const status = await poll();
    if (status.state !== 'in progress') return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('osb backend against an async upstream', () => {
  let upstream: UpstreamBroker;
  let backend: Backend;
  beforeAll(async () => {
    upstream = await startUpstreamBroker({ asyncMs: 80 });
    backend = await createOsbBackend({ url: upstream.url, ...UPSTREAM_DEFAULT_AUTH });
  });
  afterAll(() => upstream.stop());

  it('passes the upstream catalog through with its schemas and flags', async () => {
    expect(await backend.catalog(callContext())).toEqual(DEFAULT_CATALOG);
  });

  it('runs an async lifecycle, polling the upstream operation with the instance ids', async () => {
    const provision = await backend.provision(provisionRequest('pg-1'), callContext());
    expect(provision.state).toBe('started');
    if (provision.state !== 'started') return;
    const upstreamOp = upstream.state.instances.get('pg-1')?.operations[0]?.id;
    expect(JSON.parse(provision.operation)).toEqual({ operation: upstreamOp, binding: false });
    expect(provision.output).toEqual({ dashboardUrl: 'https://upstream.example/dashboard/pg-1' });

    const instance = instanceView('pg-1');
    const poll = (kind: 'provision' | 'deprovision', operation: string) => () =>
      backend.lastOperation!({ instance, kind, operation }, callContext());
    expect((await poll('provision', provision.operation)()).state).toBe('in progress');
    expect(await settle(poll('provision', provision.operation))).toEqual({ state: 'succeeded' });
    const polled = upstream.requests.filter((r) => r.route === 'lastOperation').at(-1);
    expect(polled?.query).toEqual({ service_id: 'svc-postgres', plan_id: 'plan-small', operation: upstreamOp });

    const bind = await backend.bind(
      { instance, bindingId: 'b-1', parameters: {}, context: {}, acceptsIncomplete: true },
      callContext(),
    );
    expect(bind.state).toBe('started');
    if (bind.state !== 'started') return;
    expect(JSON.parse(bind.operation)).toMatchObject({ binding: true });
    const binding = { id: 'b-1', instanceId: 'pg-1', parameters: {}, data: {}, secrets: {} };
    const bound = await settle(() =>
      backend.lastBindingOperation!({ instance, binding, kind: 'bind', operation: bind.operation }, callContext()),
    );
    expect(bound.state).toBe('succeeded');
    // Unchanged by default: camelCase keys and a number, exactly as the upstream sent them.
    expect(bound.output?.credentials).toEqual(upstream.state.bindings.get('b-1')?.credentials);
    expect(bound.output?.credentials).toMatchObject({ hostName: 'db.upstream.test', port: 5432 });

    const unbind = await backend.unbind({ instance, binding, acceptsIncomplete: true }, callContext());
    expect(unbind.state).toBe('started');
    if (unbind.state !== 'started') return;
    expect(
      await settle(() =>
        backend.lastBindingOperation!(
          { instance, binding, kind: 'unbind', operation: unbind.operation },
          callContext(),
        ),
      ),
    ).toEqual({ state: 'succeeded' });

    const deprovision = await backend.deprovision({ instance, acceptsIncomplete: true }, callContext());
    expect(deprovision.state).toBe('started');
    if (deprovision.state !== 'started') return;
    // The upstream answers 410 once the delete is done: that is success.
    expect(await settle(poll('deprovision', deprovision.operation))).toEqual({ state: 'succeeded' });
    expect(upstream.state.instances.get('pg-1')?.status).toBe('deleted');
    expect(await backend.deprovision({ instance, acceptsIncomplete: true }, callContext())).toEqual({
      state: 'done',
      output: {},
    });
  });

  it('binds synchronously when the platform does not accept incomplete binds', async () => {
    await backend.provision(provisionRequest('pg-2'), callContext());
    await new Promise((r) => setTimeout(r, 100));
    const outcome = await backend.bind(
      { instance: instanceView('pg-2'), bindingId: 'b-2', parameters: {}, context: {}, acceptsIncomplete: false },
      callContext(),
    );
    expect(outcome.state).toBe('done');
    expect(upstream.calls.fetchBinding).toBe(1); // only the async bind above fetched its binding
  });

  it('forwards the originating identity re-encoded and the request identity', async () => {
    const identity = { user_id: 'u-683ea748', extra: 'ü' };
    await backend.catalog(
      callContext({ requestIdentity: 'req-77', originatingIdentity: { platform: 'cloudfoundry', value: identity } }),
    );
    const headers = upstream.requests.at(-1)?.headers ?? {};
    expect(headers['x-broker-api-request-identity']).toBe('req-77');
    expect(headers['x-broker-api-version']).toBe('2.17');
    const [platform, encoded] = String(headers['x-broker-api-originating-identity']).split(' ');
    expect(platform).toBe('cloudfoundry');
    expect(JSON.parse(Buffer.from(encoded ?? '', 'base64').toString('utf8'))).toEqual(identity);
  });
});

describe('osb backend against a sync upstream', () => {
  let upstream: UpstreamBroker;
  beforeAll(async () => {
    upstream = await startUpstreamBroker({ mode: 'sync', token: 'tok-123', credentials: { name: 'db-1' } });
  });
  afterAll(() => upstream.stop());

  it('normalises credentials when configured to, with type and provider from the options', async () => {
    const backend = await createOsbBackend({
      url: upstream.url,
      token: 'tok-123',
      normalizeCredentials: true,
      credentialType: 'postgresql',
    });
    expect(await backend.provision(provisionRequest('s-1', false), callContext())).toEqual({
      state: 'done',
      output: { dashboardUrl: 'https://upstream.example/dashboard/s-1' },
    });
    expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer tok-123');
    const outcome = await backend.bind(
      { instance: instanceView('s-1'), bindingId: 'sb-1', parameters: {}, context: {}, acceptsIncomplete: false },
      callContext(),
    );
    if (outcome.state !== 'done') throw new Error('expected a sync bind');
    const { credentials } = outcome.output;
    expect(credentialViolations(credentials)).toEqual([]);
    expect(credentials).toMatchObject({
      type: 'postgresql',
      provider: 'legacy',
      'host-name': 'db.upstream.test',
      port: '5432',
      'upstream-name': 'db-1',
    });
    expect(
      await backend.unbind(
        {
          instance: instanceView('s-1'),
          binding: { id: 'sb-1', instanceId: 's-1', parameters: {}, data: {}, secrets: {} },
          acceptsIncomplete: false,
        },
        callContext(),
      ),
    ).toEqual({ state: 'done', output: {} });
  });
});

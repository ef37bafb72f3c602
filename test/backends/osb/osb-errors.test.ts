import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, InstanceView } from '../../../src/plugin-api/index.ts';
import { startUpstreamBroker, type UpstreamBroker } from '../../fakes/upstream-broker/index.ts';
import { freePort } from '../../support/ports.ts';
import { createOsbBackend } from './backend.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../../fakes/upstream-broker/options.ts';
import { callContext } from './call-context.ts';

const request = (instanceId: string, extra: Record<string, unknown> = {}) => ({
  instanceId,
  serviceId: 'svc-postgres',
  planId: 'plan-small',
  parameters: {},
  context: {},
  organizationGuid: 'org-1',
  spaceGuid: 'space-1',
  acceptsIncomplete: true,
  ...extra,
});

const instance = (id: string): InstanceView => ({
  id,
  serviceId: 'svc-postgres',
  planId: 'plan-small',
  parameters: {},
  context: {},
  data: {},
  secrets: {},
});

const failure = (code: string, ...texts: string[]) => ({
  name: 'BackendError',
  code,
  message: expect.stringMatching(new RegExp(texts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'))),
});

describe('osb backend error mapping', () => {
  let upstream: UpstreamBroker;
  let backend: Backend;
  beforeAll(async () => {
    upstream = await startUpstreamBroker({ asyncMs: 5_000 });
    backend = await createOsbBackend({ url: upstream.url, ...UPSTREAM_DEFAULT_AUTH, timeoutMs: 300 });
  });
  beforeEach(() => upstream.setFailure({}));
  afterAll(() => upstream.stop());

  it('maps the upstream 4xx answers, keeping the description', async () => {
    const ctx = callContext();
    await expect(backend.provision(request('e-1', { acceptsIncomplete: false }), ctx)).rejects.toMatchObject(
      failure('AsyncRequired', '422', 'requires client support for asynchronous'),
    );
    await expect(backend.provision(request('e-1', { planId: 'plan-nope' }), ctx)).rejects.toMatchObject(
      failure('BadRequest', '400', 'plan_id plan-nope is not a plan of service svc-postgres'),
    );
    await expect(
      backend.provision(request('e-1', { maintenanceInfo: { version: '9.9.9' } }), ctx),
    ).rejects.toMatchObject(failure('MaintenanceInfoConflict', '9.9.9'));

    await backend.provision(request('e-1'), ctx);
    await expect(backend.provision(request('e-1', { planId: 'plan-large' }), ctx)).rejects.toMatchObject(
      failure('Conflict', '409', 'already exists with different attributes'),
    );
    await expect(
      backend.update(
        { instance: instance('e-1'), planId: 'plan-large', parameters: {}, context: {}, acceptsIncomplete: true },
        ctx,
      ),
    ).rejects.toMatchObject(failure('Concurrency', 'a provision of e-1 is in progress'));
    await expect(
      backend.bind(
        { instance: instance('e-404'), bindingId: 'b', parameters: {}, context: {}, acceptsIncomplete: true },
        ctx,
      ),
    ).rejects.toMatchObject(failure('NotFound', 'e-404 does not exist'));
  });

  it('maps injected answers: 400 with parameters, 410, RequiresApp, 5xx', async () => {
    const ctx = callContext();
    upstream.setFailure({
      respond: {
        provision: { status: 400, body: { description: 'extensions: must be an array' } },
        update: { status: 410, body: { description: 'instance was purged' } },
        bind: { status: 422, body: { error: 'RequiresApp', description: 'needs an app_guid' } },
        catalog: { status: 500, body: { description: 'database on fire' } },
        lastOperation: {
          status: 503,
          body: { description: 'maintenance window' },
          headers: { 'retry-after': '30' },
        },
      },
    });
    await expect(backend.provision(request('e-2', { parameters: { extensions: 'x' } }), ctx)).rejects.toMatchObject(
      failure('InvalidParameters', 'extensions: must be an array'),
    );
    await expect(
      backend.update(
        { instance: instance('e-2'), planId: 'plan-small', parameters: {}, context: {}, acceptsIncomplete: true },
        ctx,
      ),
    ).rejects.toMatchObject(failure('Gone', 'instance was purged'));
    await expect(
      backend.bind(
        { instance: instance('e-2'), bindingId: 'b', parameters: {}, context: {}, acceptsIncomplete: true },
        ctx,
      ),
    ).rejects.toMatchObject(failure('RequiresApp', 'needs an app_guid'));
    await expect(backend.catalog(ctx)).rejects.toMatchObject(failure('Internal', '500', 'database on fire'));
    await expect(
      backend.lastOperation!({ instance: instance('e-2'), kind: 'provision', operation: '{"binding":false}' }, ctx),
    ).rejects.toMatchObject({ ...failure('Unavailable', '503', 'maintenance window'), retryAfterSeconds: 30 });
    expect(await backend.health!(ctx)).toEqual({ ok: false, detail: expect.stringContaining('database on fire') });
  });

  it('reports a failed upstream operation in the upstream words', async () => {
    const fast = await startUpstreamBroker({ asyncMs: 10, failures: { nextProvisionFails: 'no capacity in zone b' } });
    try {
      const proxy = await createOsbBackend({ url: fast.url, ...UPSTREAM_DEFAULT_AUTH });
      const outcome = await proxy.provision(request('f-1'), callContext());
      if (outcome.state !== 'started') throw new Error('expected an async provision');
      await new Promise((r) => setTimeout(r, 30));
      expect(
        await proxy.lastOperation!(
          { instance: instance('f-1'), kind: 'provision', operation: outcome.operation },
          callContext(),
        ),
      ).toEqual({ state: 'failed', description: 'no capacity in zone b' });
    } finally {
      await fast.stop();
    }
  });

  it('gives up on a hanging upstream at timeoutMs, and at the call deadline', async () => {
    upstream.setFailure({ hang: ['catalog'] });
    let begun = Date.now();
    await expect(backend.catalog(callContext())).rejects.toMatchObject(failure('Timeout', 'within 300 ms'));
    expect(Date.now() - begun).toBeLessThan(1_500);
    const patient = await createOsbBackend({ url: upstream.url, ...UPSTREAM_DEFAULT_AUTH });
    begun = Date.now();
    await expect(patient.catalog(callContext({ signal: AbortSignal.timeout(150) }))).rejects.toMatchObject(
      failure('Timeout', 'deadline passed'),
    );
    expect(Date.now() - begun).toBeLessThan(1_500);
  });

  it('gives up on an upstream that sends its headers and then stalls in the body, at timeoutMs', async () => {
    const stalling = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"services": [');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const { port } = stalling.address() as AddressInfo;
    try {
      const slow = await createOsbBackend({
        url: `http://127.0.0.1:${port}`,
        ...UPSTREAM_DEFAULT_AUTH,
        timeoutMs: 300,
      });
      const begun = Date.now();
      await expect(slow.catalog(callContext())).rejects.toMatchObject(failure('Timeout', 'did not answer', '300 ms'));
      expect(Date.now() - begun).toBeLessThan(1_500);
      await slow.close?.();
    } finally {
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });

  it('turns a refused connection and rejected credentials into broker-side errors', async () => {
    const port = await freePort();
    const nowhere = await createOsbBackend({ url: `http://127.0.0.1:${port}`, ...UPSTREAM_DEFAULT_AUTH });
    await expect(nowhere.catalog(callContext())).rejects.toMatchObject(
      failure('Unavailable', `http://127.0.0.1:${port}`, 'ECONNREFUSED'),
    );
    const wrong = await createOsbBackend({ url: upstream.url, username: 'upstream', password: 'wrong' });
    await expect(wrong.catalog(callContext())).rejects.toMatchObject(failure('Internal', '401', 'unauthorized'));
  });
});

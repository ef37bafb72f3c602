import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteName, type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, TEST_AUTH } from '../support/harness.ts';
import { injectSender } from '../support/osb-client.ts';
import { KorifiClient } from './korifi-client.ts';
import { answerProblems, statusRuns } from './platform-answers.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

// Korifi (OSB-RULES 18-20) against a counting upstream: async (`as`) and synchronous (`sy`) backends.
const MIN_POLL_INTERVAL_MS = 150;
const asyncIds = { service_id: 'as.svc-postgres', plan_id: 'as.plan-small' };
const syncIds = { service_id: 'sy.svc-postgres', plan_id: 'sy.plan-small' };

let asyncUpstream: UpstreamBroker;
let syncUpstream: UpstreamBroker;
let harness: Harness;
let korifi: KorifiClient;

const upstreamOptions = (upstream: UpstreamBroker) => ({
  url: upstream.url,
  ...UPSTREAM_DEFAULT_AUTH,
});

beforeAll(async () => {
  asyncUpstream = await startUpstreamBroker({ asyncMs: 300 });
  syncUpstream = await startUpstreamBroker({ mode: 'sync' });
  harness = await startHarness({
    backends: [
      { name: 'as', type: 'osb', options: upstreamOptions(asyncUpstream) },
      { name: 'sy', type: 'osb', options: upstreamOptions(syncUpstream) },
    ],
    tuning: { minPollIntervalMs: MIN_POLL_INTERVAL_MS, sweepIntervalMs: 50 },
  });
  korifi = new KorifiClient(injectSender(harness.app), TEST_AUTH);
});

afterAll(async () => {
  await harness?.close();
  await asyncUpstream?.stop();
  await syncUpstream?.stop();
});

/** Requests the upstream received on one route for one instance or binding (recorded requests, newest 500). */
const upstreamCalls = (upstream: UpstreamBroker, route: RouteName, resourceId: string) =>
  upstream.requests.filter((r) => r.route === route && r.path.split('/').includes(resourceId)).length;

// Each case uses its own instances, so they run side by side (the bursts are mostly waiting).
describe.concurrent('Korifi', () => {
  it('against an asynchronous backend: every re-sent request answered from the store, each call made once', async () => {
    const instance = 'korifi-async-1';
    const binding = 'korifi-async-b1';

    const provisions = await korifi.burst(korifi.provisionRequest(instance, asyncIds));
    expect(provisions.flatMap(answerProblems)).toEqual([]);
    expect(statusRuns(provisions), 'provision').toEqual([202, 200]);
    const operations = new Set(provisions.filter((a) => a.status === 202).map((a) => a.body.operation));
    expect(operations.size, 'one operation for every 202').toBe(1);
    expect(upstreamCalls(asyncUpstream, 'provision', instance)).toBe(1);
    expect(asyncUpstream.state.instances.get(instance)?.status).toBe('ready');

    const binds = await korifi.burst(korifi.bindRequest(instance, binding, asyncIds));
    expect(binds.flatMap(answerProblems)).toEqual([]);
    expect(statusRuns(binds), 'bind').toEqual([202, 200]);
    const upstreamCredentials = asyncUpstream.state.bindings.get(binding)?.credentials;
    expect(upstreamCredentials?.password).toBeTypeOf('string');
    for (const done of binds.filter((a) => a.status === 200)) {
      expect(done.body.credentials, 'a finished bind re-sent').toEqual(upstreamCredentials);
    }
    expect(upstreamCalls(asyncUpstream, 'bind', binding)).toBe(1);
    const fetches = upstreamCalls(asyncUpstream, 'fetchBinding', binding);
    expect(fetches).toBeLessThanOrEqual(1);

    // A reconcile later re-sends the PUT: the credentials come from the store, not the backend.
    const reconciled = await korifi.once(korifi.bindRequest(instance, binding, asyncIds));
    expect(reconciled.status).toBe(200);
    expect(reconciled.body.credentials).toEqual(upstreamCredentials);
    expect(upstreamCalls(asyncUpstream, 'bind', binding)).toBe(1);
    expect(upstreamCalls(asyncUpstream, 'fetchBinding', binding)).toBe(fetches);

    const unbinds = await korifi.burst(korifi.unbindRequest(instance, binding, asyncIds));
    expect(unbinds.flatMap(answerProblems)).toEqual([]);
    expect(unbinds[0]?.status, 'unbind').toBe(202);
    expect([200, 410]).toContain(unbinds.at(-1)?.status);
    expect(upstreamCalls(asyncUpstream, 'unbind', binding)).toBe(1);

    const deletes = await korifi.burst(korifi.deprovisionRequest(instance, asyncIds));
    expect(deletes.flatMap(answerProblems)).toEqual([]);
    expect(deletes[0]?.status, 'deprovision').toBe(202);
    expect([200, 410]).toContain(deletes.at(-1)?.status);
    expect(upstreamCalls(asyncUpstream, 'deprovision', instance)).toBe(1);
    expect(asyncUpstream.state.instances.get(instance)?.status).toBe('deleted');
  });

  it('against a synchronous backend: 201 then 200 with the same full credentials, each call made once', async () => {
    const instance = 'korifi-sync-1';
    const binding = 'korifi-sync-b1';

    const provisions = await korifi.burst(korifi.provisionRequest(instance, syncIds));
    expect(provisions.flatMap(answerProblems)).toEqual([]);
    expect(statusRuns(provisions), 'provision').toEqual([201, 200]);
    expect(upstreamCalls(syncUpstream, 'provision', instance)).toBe(1);

    const binds = await korifi.burst(korifi.bindRequest(instance, binding, syncIds));
    expect(binds.flatMap(answerProblems)).toEqual([]);
    expect(statusRuns(binds), 'bind').toEqual([201, 200]);
    const upstreamCredentials = syncUpstream.state.bindings.get(binding)?.credentials;
    for (const answer of binds) expect(answer.body.credentials).toEqual(upstreamCredentials);
    expect(upstreamCalls(syncUpstream, 'bind', binding)).toBe(1);

    // CC (not Korifi) reads them back: no `null` fields (rule 20).
    const fetched = [
      await korifi.once({ method: 'GET', path: `/v2/service_instances/${instance}` }),
      await korifi.once({ method: 'GET', path: `/v2/service_instances/${instance}/service_bindings/${binding}` }),
    ];
    expect(fetched.map((a) => a.status)).toEqual([200, 200]);
    expect(fetched.flatMap(answerProblems)).toEqual([]);

    const unbinds = await korifi.burst(korifi.unbindRequest(instance, binding, syncIds));
    expect(unbinds.flatMap(answerProblems)).toEqual([]);
    expect(statusRuns(unbinds), 'unbind').toEqual([200, 410]);
    const deletes = await korifi.burst(korifi.deprovisionRequest(instance, syncIds));
    expect(deletes.flatMap(answerProblems)).toEqual([]);
    expect(statusRuns(deletes), 'deprovision').toEqual([200, 410]);
    expect(upstreamCalls(syncUpstream, 'unbind', binding)).toBe(1);
    expect(upstreamCalls(syncUpstream, 'deprovision', instance)).toBe(1);
  });

  it('polling last_operation every 5 ms: answers from state and asks the backend at most once per poll interval', async () => {
    const instance = 'korifi-poll-1';
    const slow = await startUpstreamBroker({ asyncMs: 1200 });
    const polled = await startHarness({
      backends: [{ name: 'sl', type: 'osb', options: upstreamOptions(slow) }],
      tuning: { minPollIntervalMs: MIN_POLL_INTERVAL_MS, sweepIntervalMs: 50 },
    });
    try {
      const client = new KorifiClient(injectSender(polled.app), TEST_AUTH);
      const ids = { service_id: 'sl.svc-postgres', plan_id: 'sl.plan-small' };
      const started = Date.now();
      const accepted = await client.once(client.provisionRequest(instance, ids));
      expect(accepted.status).toBe(202);
      const operation = accepted.body.operation as string;
      const { final, answers } = await client.pollUntilDone(`/v2/service_instances/${instance}`, operation, ids);
      const elapsed = Date.now() - started;
      expect(final.status).toBe(200);
      expect(final.body.state).toBe('succeeded');
      expect(answers.flatMap(answerProblems)).toEqual([]);
      expect(slow.calls.lastOperation).toBeGreaterThanOrEqual(1);
      // No time bound on the answers: only that most of them came from state, not from a backend call each.
      expect(answers.length).toBeGreaterThan(2 * slow.calls.lastOperation);
      expect(slow.calls.lastOperation).toBeLessThanOrEqual(Math.ceil(elapsed / MIN_POLL_INTERVAL_MS) + 1);
    } finally {
      await polled.close();
      await slow.stop();
    }
  });

  it('sending what a strict broker would refuse (rule 18): accepts no context, parameters null and an empty app_guid, and forwards no parameters', async () => {
    const instance = 'korifi-bodies-1';
    const provisioned = await korifi.once(korifi.provisionRequest(instance, syncIds));
    expect(provisioned.status).toBe(201);
    const bound = await korifi.once(korifi.bindRequest(instance, 'korifi-bodies-b1', syncIds));
    expect(bound.status).toBe(201);
    const upstreamBind = syncUpstream.requests.find((r) => r.route === 'bind' && r.path.endsWith('korifi-bodies-b1'))
      ?.body as Record<string, unknown>;
    expect(upstreamBind.parameters ?? {}).toEqual({});
    expect(upstreamBind.app_guid ?? '').toBe('');
  });

  it('deleting while a provision runs (rule 19): accepted with 202 and runs once the provision ends; last_operation is 410 only after the delete', async () => {
    const instance = 'korifi-early-delete';
    const path = `/v2/service_instances/${instance}`;
    const provisioned = await korifi.once(korifi.provisionRequest(instance, asyncIds));
    expect(provisioned.status).toBe(202);
    const deleted = await korifi.once(korifi.deprovisionRequest(instance, asyncIds));
    expect(answerProblems(deleted)).toEqual([]);
    expect(deleted.status).toBe(202);
    const createPoll = await korifi.once(
      korifi.lastOperationRequest(path, provisioned.body.operation as string, asyncIds),
    );
    expect(createPoll.status).not.toBe(410);
    const { final, answers } = await korifi.pollUntilDone(
      path,
      deleted.body.operation as string | undefined,
      asyncIds,
      20,
    );
    expect(answers.slice(0, -1).every((a) => a.status === 200)).toBe(true);
    expect(final.status === 410 || final.body.state === 'succeeded').toBe(true);
    expect(asyncUpstream.state.instances.get(instance)?.status).toBe('deleted');
    expect(upstreamCalls(asyncUpstream, 'deprovision', instance)).toBe(1);
  });

  it('deleting a binding while its bind runs (rule 19): accepted with 202, unbound once the bind ends', async () => {
    const instance = 'korifi-early-unbind';
    const binding = 'korifi-early-unbind-b';
    const provisioned = await korifi.once(korifi.provisionRequest(instance, asyncIds));
    expect(provisioned.status).toBe(202);
    await korifi.pollUntilDone(`/v2/service_instances/${instance}`, undefined, asyncIds, 20);
    const bound = await korifi.once(korifi.bindRequest(instance, binding, asyncIds));
    expect(bound.status).toBe(202);
    const unbound = await korifi.once(korifi.unbindRequest(instance, binding, asyncIds));
    expect(answerProblems(unbound)).toEqual([]);
    expect(unbound.status).toBe(202);
    const { final } = await korifi.pollUntilDone(
      `/v2/service_instances/${instance}/service_bindings/${binding}`,
      unbound.body.operation as string | undefined,
      asyncIds,
      20,
    );
    expect(final.status === 410 || final.body.state === 'succeeded').toBe(true);
    expect(asyncUpstream.state.bindings.get(binding)?.status).toBe('deleted');
    expect(upstreamCalls(asyncUpstream, 'bind', binding)).toBe(1);
    expect(upstreamCalls(asyncUpstream, 'unbind', binding)).toBe(1);
  });

  // Rule 18: `bind_resource: {app_guid: ""}` means "not given"; forwarding it would fail a strict upstream
  // (one that checks app_guid is a GUID) on a bind Korifi cannot retry.
  it('sending bind_resource.app_guid "" (rule 18): the backend is not handed an empty app_guid', async () => {
    const instance = 'korifi-empty-app-guid';
    await korifi.once(korifi.provisionRequest(instance, syncIds));
    const bound = await korifi.once(korifi.bindRequest(instance, `${instance}-b`, syncIds));
    expect(bound.status).toBe(201);
    const sent = syncUpstream.requests.find((r) => r.route === 'bind' && r.path.endsWith(`${instance}-b`))?.body as {
      app_guid?: string;
      bind_resource?: { app_guid?: string };
    };
    expect(sent.app_guid).toBeUndefined();
    expect(sent.bind_resource?.app_guid).toBeUndefined();
  });
});

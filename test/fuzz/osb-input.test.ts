import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, upstreamBackend } from '../support/harness.ts';
import { type FuzzRequest, fuzzRequest, GOOD, MAX_PARAM_LENGTH, SEEDED, VALID_AUTH } from './osb-arbitraries.ts';

let upstream: UpstreamBroker;
let harness: Harness;

beforeAll(async () => {
  upstream = await startUpstreamBroker({ mode: 'sync' });
  harness = await startHarness({
    backends: [upstreamBackend(upstream.url)],
    tuning: { sweepIntervalMs: 60_000 },
  });
  const ids = { service_id: GOOD.service, plan_id: GOOD.plan };
  expect((await harness.client.provision(SEEDED.instance, ids, false)).status).toBe(201);
  expect((await harness.client.bind(SEEDED.instance, SEEDED.binding, ids)).status).toBe(201);
});

afterAll(async () => {
  await harness?.close();
  await upstream?.stop();
});

/** Instances and bindings with their versions: what a rejected request must leave as it was. */
async function snapshot(): Promise<string> {
  const [instances, bindings] = await Promise.all([harness.store.list('instance'), harness.store.list('binding')]);
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return JSON.stringify({ instances: instances.sort(byId), bindings: bindings.sort(byId) });
}

const describeRequest = (r: FuzzRequest) =>
  JSON.stringify({ ...r, path: r.path.slice(0, 300), body: r.body?.slice(0, 300) });

async function checkOne(request: FuzzRequest): Promise<void> {
  const before = await snapshot();
  const res = await harness.app.inject({
    method: request.method as 'GET',
    url: request.path,
    headers: request.headers,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
  const what = `${describeRequest(request)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, what).toBeLessThan(500);
  expect(String(res.headers['content-type']), what).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as unknown;
  expect(typeof body === 'object' && body !== null && !Array.isArray(body), what).toBe(true);
  if (res.statusCode >= 400) {
    // 410 Gone is the spec's `{}` (a delete of something already gone), not an error.
    if (res.statusCode !== 410) expect(typeof (body as { description?: unknown }).description, what).toBe('string');
    expect(await snapshot(), `store changed by a rejected request: ${what}`).toBe(before);
  }
}

describe('bad input on every OSB route', () => {
  it('never answers 5xx or non-JSON, and a rejected request leaves the store unchanged', async () => {
    await fc.assert(fc.asyncProperty(fuzzRequest, checkOne), {
      numRuns: Number(process.env.FUZZ_RUNS ?? 1500),
      endOnFailure: true,
      // The default report prints the whole (up to MB-sized) counterexample; the assertion message is enough.
      reporter: (details) => {
        if (details.failed) throw new Error(`seed ${details.seed}: ${(details.errorInstance as Error).message}`);
      },
    });
  });

  // Router-level rejections must not bypass the gateway's error handler (Fastify's own body has no `description`).
  it('answers an OSB error body to a path id longer than the router allows', async () => {
    await checkOne({
      method: 'GET',
      path: `/v2/service_instances/${'i'.repeat(MAX_PARAM_LENGTH + 1)}`,
      headers: { 'x-broker-api-version': '2.17', authorization: VALID_AUTH },
    });
  });

  it('answers an OSB error body to a malformed %-escape in the path', async () => {
    await checkOne({
      method: 'GET',
      path: '/v2/service_instances/x%zz',
      headers: { 'x-broker-api-version': '2.17', authorization: VALID_AUTH },
    });
  });

  it('survives the run: the broker still serves the catalog and provisions', async () => {
    expect((await harness.client.catalog()).status).toBe(200);
    expect(
      (await harness.client.provision('fz-after', { service_id: GOOD.service, plan_id: GOOD.plan }, false)).status,
    ).toBe(201);
  });
});

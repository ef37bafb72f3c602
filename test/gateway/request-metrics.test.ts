import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, upstreamBackend } from '../support/harness.ts';

const ids = { service_id: 'up.svc-postgres', plan_id: 'up.plan-small' };

/** The value of omnibroker_http_requests_total for one route, method and status, as Prometheus would scrape it. */
async function requestCount(harness: Harness, route: string, method: string, status: number): Promise<number> {
  const scrape = await harness.app.inject({ method: 'GET', url: '/metrics' });
  const line = scrape.body
    .split('\n')
    .find((l) =>
      l.startsWith(`omnibroker_http_requests_total{route="${route}",method="${method}",status="${status}"}`),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('request metrics', () => {
  let upstream: UpstreamBroker;
  let harness: Harness;
  beforeAll(async () => {
    upstream = await startUpstreamBroker({ mode: 'sync' });
    harness = await startHarness({
      backends: [upstreamBackend(upstream.url)],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await upstream?.stop();
  });

  it('counts requests by route, method and status, and keeps counting across scrapes', async () => {
    const put = await harness.client.raw({
      method: 'PUT',
      path: '/v2/service_instances/metrics-1',
      body: { ...ids, organization_guid: 'org', space_guid: 'space' },
    });
    expect(put.status).toBe(201);
    const poll = { method: 'GET', path: '/v2/service_instances/metrics-1/last_operation' } as const;
    for (let i = 0; i < 3; i++) expect((await harness.client.raw(poll)).status).toBe(200);
    expect(
      (await harness.client.raw({ method: 'GET', path: '/v2/service_instances/absent/last_operation' })).status,
    ).toBe(404);

    const route = '/v2/service_instances/:instance_id/last_operation';
    expect(await requestCount(harness, '/v2/service_instances/:instance_id', 'PUT', 201)).toBe(1);
    expect(await requestCount(harness, route, 'GET', 200)).toBe(3);
    expect(await requestCount(harness, route, 'GET', 404)).toBe(1);

    for (let i = 0; i < 2; i++) expect((await harness.client.raw(poll)).status).toBe(200);
    expect(await requestCount(harness, route, 'GET', 200)).toBe(5);
    expect(await requestCount(harness, route, 'GET', 404)).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

let healthy: UpstreamBroker;
let dying: UpstreamBroker;
let harness: Harness;
const auth = UPSTREAM_DEFAULT_AUTH;

beforeAll(async () => {
  healthy = await startUpstreamBroker({ mode: 'sync' });
  dying = await startUpstreamBroker({ mode: 'sync' });
  harness = await startHarness({
    backends: [
      { name: 'good', type: 'osb', options: { url: healthy.url, ...auth } },
      {
        name: 'bad',
        type: 'osb',
        options: { url: dying.url, ...auth, timeoutMs: 500 },
        breaker: { timeoutMs: 1000, volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 3000 },
      },
    ],
  });
});

afterAll(async () => {
  await harness?.close();
  await healthy?.stop();
  await dying?.stop().catch(() => undefined);
});

const provisionBody = (backend: string) => ({
  service_id: `${backend}.svc-postgres`,
  plan_id: `${backend}.plan-small`,
});

describe('a dead backend', () => {
  it('opens its breaker: fast 503 + Retry-After naming it, the healthy backend and the catalog unaffected', async () => {
    await dying.stop();
    const failures = [];
    for (let i = 0; i < 3; i++) failures.push(await harness.client.provision(`dead-${i}`, provisionBody('bad')));
    for (const f of failures) {
      expect(f.status).toBeGreaterThanOrEqual(500);
      expect(f.body.description).toMatch(/bad/);
    }
    const started = performance.now();
    const rejected = await harness.client.provision('dead-fast', provisionBody('bad'));
    const elapsed = performance.now() - started;
    expect(rejected.status).toBe(503);
    expect(rejected.headers['retry-after']).toBe('3');
    expect(rejected.body.description).toMatch(/backend "bad" is unavailable: its circuit breaker is open/);
    expect(elapsed).toBeLessThan(200);

    const ok = await harness.client.provision('alive-1', provisionBody('good'));
    expect(ok.status).toBe(201);

    const catalog = await harness.client.catalog();
    const ids = (catalog.body.services as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toContain('bad.svc-postgres');
    expect(ids).toContain('good.svc-postgres');

    const metrics = await harness.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/omnibroker_breaker_state\{backend="bad"\} 2/);
    expect(metrics.body).toMatch(/omnibroker_breaker_state\{backend="good"\} 0/);
    const ready = await harness.app.inject({ method: 'GET', url: '/readyz' });
    expect(JSON.parse(ready.body).backends.bad.breaker).toBe('open');
  });

  it('a failed provision that never reached the backend is forgotten; others stay deletable', async () => {
    const rejected = await harness.client.provision('dead-fast', provisionBody('bad'));
    expect(rejected.status).toBe(503);
    expect((await harness.client.lastOperation('dead-fast')).status).toBe(404);
    const del = await harness.client.deprovision('dead-0', {
      service_id: 'bad.svc-postgres',
      plan_id: 'bad.plan-small',
    });
    // The backend is still down: the delete cannot complete, but it is an answer a platform retries, not a stuck 4xx.
    expect(del.status).toBe(503);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { freePort, waitFor } from '../support/ports.ts';

const serviceIds = async (harness: Harness) =>
  ((await harness.client.catalog()).body.services as Array<{ id: string }>).map((s) => s.id);

describe('a backend that is down when the broker starts', () => {
  let harness: Harness | undefined;
  let upstream: UpstreamBroker | undefined;
  afterAll(async () => {
    await harness?.close();
    await upstream?.stop();
  });

  it('joins the catalog within seconds of coming up, long before the 60 s refresh interval', async () => {
    const port = await freePort();
    harness = await startHarness({
      backends: [{ name: 'late', type: 'osb', options: { url: `http://127.0.0.1:${port}`, ...UPSTREAM_DEFAULT_AUTH } }],
      catalogRefreshIntervalMs: 60_000,
    });
    expect(await serviceIds(harness)).toEqual([]);
    expect(harness.omnibroker.broker.deps.catalog.status('late')).toMatchObject({ source: 'none' });

    upstream = await startUpstreamBroker({ mode: 'sync', port });
    const started = Date.now();
    const running = harness;
    await waitFor(async () => (await serviceIds(running)).includes('late.svc-postgres'), 5_000, 'late.svc-postgres');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(harness.omnibroker.broker.deps.catalog.status('late')).toMatchObject({ source: 'live' });
  });
});

/**
 * Fault 4: one of two osb backends hangs, then fails, under load on both. Expected: the healthy backend's p99
 * stays within 2x its baseline; the faulty backend's breaker goes closed → open → half-open → closed in
 * /metrics; while open its calls answer at once 503 + Retry-After naming the backend; the catalog keeps its
 * services.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Failures } from '../fakes/upstream-broker/options.ts';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.ts';
import { eventually, FAST_OPERATIONS, metric, metricsText, osbBackend, sleep } from './fixture.ts';
import { percentile, type Sample, startLoad } from './load.ts';
import { redisState, type FaultState } from './state-servers.ts';

const BREAKER = { timeoutMs: 400, resetTimeoutMs: 1500, volumeThreshold: 3, errorThresholdPercentage: 50 };
const good = { service_id: 'good.svc-postgres', plan_id: 'good.plan-small' };
const bad = { service_id: 'bad.svc-postgres', plan_id: 'bad.plan-small' };
/** Absolute slack on the 2x bound: sub-10 ms latencies on a shared 2-core machine jitter by a few ms. */
const JITTER_MS = 15;

describe('a hanging and a failing upstream next to a healthy one', () => {
  let state: FaultState;
  let healthy: UpstreamBrokerProcess;
  let faulty: UpstreamBrokerProcess;
  let broker: BrokerProcess;
  let baselineP99 = Number.NaN;
  let seq = 0;

  beforeAll(async () => {
    state = await redisState();
    [healthy, faulty] = await Promise.all([
      spawnUpstreamBroker({ asyncMs: 200 }),
      spawnUpstreamBroker({ asyncMs: 200 }),
    ]);
    broker = await startBrokerProcess({
      state: state.config,
      backends: [osbBackend('good', healthy), osbBackend('bad', faulty, BREAKER)],
      operations: FAST_OPERATIONS,
      catalog: { refreshIntervalMs: 1000 },
    });
    const warm = startLoad(goodRequest, { workers: 2, maxRequests: 100 });
    await sleep(1_000);
    await warm.stop();
    const baseline = startLoad(goodRequest, { workers: 2 });
    await sleep(2_500);
    baselineP99 = percentile(await baseline.stop(), 99);
  });
  const report: unknown[] = [];
  afterAll(async () => {
    if (report.length > 0) process.stdout.write(`backend faults summary: ${JSON.stringify(report)}\n`);
    await broker?.dispose();
    await Promise.all([healthy?.stop(), faulty?.stop()]);
    await state?.stop();
  });

  function goodRequest(i: number) {
    const id = `good-${++seq}`;
    return i % 2 === 0
      ? { label: 'good', send: () => broker.client.provision(id, good) }
      : { label: 'good', send: () => broker.client.catalog() };
  }
  const badRequest = () => {
    const id = `bad-${++seq}`;
    return { label: 'bad', send: () => broker.client.provision(id, bad) };
  };

  const breakerState = async () =>
    metric(await metricsText(broker.url), 'omnibroker_breaker_state', { backend: 'bad' });
  const transitions = async (to: string) =>
    metric(await metricsText(broker.url), 'omnibroker_breaker_transitions_total', { backend: 'bad', state: to }) ?? 0;

  it.each<[string, Failures]>([
    ['hanging', { hang: ['provision', 'lastOperation', 'catalog'] }],
    ['failing', { respond: { provision: { status: 500 }, lastOperation: { status: 500 }, catalog: { status: 500 } } }],
  ])('%s upstream: healthy p99 holds, breaker cycles, catalog keeps the services', async (_name, failures) => {
    expect(await breakerState()).toBe(0);
    const before = { open: await transitions('open'), halfOpen: await transitions('halfOpen') };
    const closedBefore = await transitions('closed');
    await faulty.setFailure(failures);
    const goodLoad = startLoad(goodRequest, { workers: 2 });
    const badLoad = startLoad(badRequest, { workers: 2, pauseMs: 50 });
    await eventually(async () => ((await breakerState()) === 2 ? true : undefined), 10_000, 'the breaker to open');

    const openCall = await broker.client.provision(`bad-open-${++seq}`, bad);
    const openStarted = performance.now();
    const again = await broker.client.provision(`bad-open-${++seq}`, bad);
    const openMs = performance.now() - openStarted;
    for (const res of [openCall, again]) {
      expect(res.status, res.text).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(String(res.body.description)).toContain('backend "bad"');
    }
    expect(openMs).toBeLessThan(200);
    const catalog = await broker.client.catalog();
    const names = (catalog.body.services as Array<{ name: string }>).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['good-postgres', 'bad-postgres']));

    await sleep(1_000);
    const samples = await goodLoad.stop();
    const badSamples = await badLoad.stop();
    const goodP99 = percentile(samples, 99);
    report.push({ fault: _name, baselineP99, goodP99, good: samples.length, bad: statusCounts(badSamples) });
    expect(samples.filter((s) => s.status !== 200 && s.status !== 202).map(describeSample)).toEqual([]);
    expect(badSamples.filter((s) => s.status === 0 || s.status === 500).map(describeSample)).toEqual([]);
    expect(goodP99).toBeLessThanOrEqual(2 * baselineP99 + JITTER_MS);

    await faulty.setFailure({});
    // The half-open gauge can last only until the next catalog refresh or sweeper poll succeeds, so the
    // monotonic transition counter is what proves the breaker passed through half-open.
    await eventually(
      async () => ((await transitions('halfOpen')) > before.halfOpen ? true : undefined),
      10_000,
      'half-open',
    );
    await eventually(
      async () => {
        const res = await broker.client.provision(`bad-trial-${++seq}`, bad);
        return res.status === 202 ? res : undefined;
      },
      10_000,
      'a trial call to succeed',
    );
    expect(await breakerState()).toBe(0);
    expect(await transitions('open')).toBeGreaterThan(before.open);
    expect(await transitions('halfOpen')).toBeGreaterThan(before.halfOpen);
    expect(await transitions('closed')).toBeGreaterThan(closedBefore);
  });
});

function statusCounts(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

function describeSample(s: Sample): string {
  return `${s.label} ${s.status} after ${Math.round(s.ms)} ms: ${JSON.stringify(s.body)}`;
}

import { BROKER_HEADERS, type BrokerProcess, startBroker } from '../lib/broker-process.ts';
import { type LifecycleResult, type OsbTarget, runLifecycles } from '../lib/lifecycle.ts';
import type { Row, ScenarioReport } from '../lib/report.ts';
import { interleave, withPeak } from '../lib/rounds.ts';
import { median, percentile } from '../lib/stats.ts';
import { type BenchContext, UPSTREAM_HEADERS } from './context.ts';

export interface LifecycleVariant {
  label: string;
  replicas: number;
  state: 'memory' | 'redis';
}

const summary = (results: LifecycleResult[]) => ({
  perSecond: median(results.map((r) => r.lifecyclesPerSecond)),
  p50: median(results.map((r) => percentile(r.callMs, 50))),
  p99: median(results.map((r) => percentile(r.callMs, 99))),
  failures: results.reduce((n, r) => n + r.failures, 0),
  firstFailure: results.find((r) => r.firstFailure !== undefined)?.firstFailure,
});

/**
 * (c)/(d) provision → last_operation → bind → unbind → deprovision through `replicas` brokers (round-robin per call)
 * vs the same calls straight to the upstream; overhead = per-call latency difference at p50 and p99.
 */
export async function lifecycleScenario(ctx: BenchContext, variant: LifecycleVariant): Promise<ScenarioReport> {
  const brokers: BrokerProcess[] = [];
  try {
    for (let i = 0; i < variant.replicas; i++) {
      brokers.push(
        await startBroker({
          upstreamUrls: [ctx.upstream.url],
          state: variant.state === 'redis' ? { type: 'redis', url: ctx.redis.url } : { type: 'memory' },
          logLevel: ctx.logLevel,
          nodeFlags: ctx.brokerFlags,
        }),
      );
    }
    const viaBroker: OsbTarget[] = brokers.map((b) => ({
      url: b.url,
      headers: BROKER_HEADERS,
      serviceId: 'up0.svc-postgres',
      planId: 'up0.plan-small',
    }));
    const direct: OsbTarget = {
      url: ctx.upstream.url,
      headers: UPSTREAM_HEADERS,
      serviceId: 'svc-postgres',
      planId: 'plan-small',
    };
    const first = brokers[0];
    if (first === undefined) throw new Error('no broker');
    let peakMiB = first.rssMiB();
    const measured = await interleave(
      ctx.rounds,
      async () => {
        const { result, peak } = await withPeak(first.rssMiB, () => runLifecycles(viaBroker, ctx.seconds));
        peakMiB = Math.max(peakMiB, peak);
        return result;
      },
      () => runLifecycles([direct], ctx.seconds),
    );
    const ours = summary(measured.a);
    const ref = summary(measured.b);
    const scenario = `${variant.label} lifecycle`;
    const rows: Row[] = [
      {
        scenario,
        metric: 'lifecycles/s (median)',
        omnibroker: ours.perSecond,
        reference: ref.perSecond,
        ratio: ours.perSecond / ref.perSecond,
      },
      {
        scenario,
        metric: 'call p50 ms (overhead)',
        omnibroker: ours.p50,
        reference: ref.p50,
        ratio: ours.p50 - ref.p50,
        target: '<= 0.5 ms',
        met: ours.p50 - ref.p50 <= 0.5,
      },
      {
        scenario,
        metric: 'call p99 ms (overhead)',
        omnibroker: ours.p99,
        reference: ref.p99,
        ratio: ours.p99 - ref.p99,
      },
      { scenario, metric: 'failed calls', omnibroker: ours.failures, reference: ref.failures },
      { scenario: '(e) broker RSS', metric: `peak MiB under ${variant.label} load`, omnibroker: peakMiB },
    ];
    return {
      rows,
      rounds: {
        firstFailure: ours.firstFailure ?? ref.firstFailure,
        broker: measured.a.map(({ callMs: _, ...r }) => r),
        direct: measured.b.map(({ callMs: _, ...r }) => r),
      },
    };
  } finally {
    await Promise.all(brokers.map((b) => b.stop()));
  }
}

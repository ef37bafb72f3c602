import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startBare } from '../lib/bare-process.ts';
import { BROKER_HEADERS, startBroker } from '../lib/broker-process.ts';
import { runLoad } from '../lib/load.ts';
import { startMany, stopAll } from '../lib/node-process.ts';
import { roundRatioRows, type ScenarioReport } from '../lib/report.ts';
import { interleave } from '../lib/rounds.ts';
import { median } from '../lib/stats.ts';
import type { BenchContext } from './context.ts';

/** (b) last_operation of a finished instance on Redis state vs a bare Fastify+ioredis route doing one HMGET. */
export async function lastOperationScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const brokers = await startMany(ctx.processes, () =>
    startBroker({
      upstreamUrls: [ctx.upstream.url],
      state: { type: 'redis', url: ctx.redis.url },
      logLevel: ctx.logLevel,
      nodeFlags: ctx.brokerFlags,
    }),
  );
  try {
    const [first] = brokers;
    if (first === undefined) throw new Error('no broker');
    // One finished instance, polled through every broker process (they share the Redis state).
    const id = randomUUID();
    const provisioned = await fetch(`${first.url}/v2/service_instances/${id}`, {
      method: 'PUT',
      headers: { ...BROKER_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({
        service_id: 'up0.svc-postgres',
        plan_id: 'up0.plan-small',
        organization_guid: 'org-bench',
        space_guid: 'space-bench',
      }),
    });
    if (provisioned.status !== 201) throw new Error(`provision answered ${provisioned.status}`);
    const key = `omnibroker:rec:instance:${id}`;
    const redis = new Redis(ctx.redis.url);
    const exists = await redis.exists(key);
    await redis.quit();
    if (exists !== 1) throw new Error(`expected the instance record at ${key}`);
    const bares = await startMany(ctx.processes, () => startBare(['--redis', ctx.redis.url, '--key', key]));
    try {
      const settings = { seconds: ctx.seconds, connections: ctx.connections, tool: ctx.load };
      const measured = await interleave(
        ctx.rounds,
        (p) =>
          runLoad(
            { url: `${(brokers[p] ?? first).url}/v2/service_instances/${id}/last_operation`, headers: BROKER_HEADERS },
            settings,
          ),
        (p) => runLoad({ url: `${bares[p]?.url}/last_operation` }, settings),
        ctx.processes,
      );
      const ours = median(measured.a.map((r) => r.requestsPerSecond));
      const ref = median(measured.b.map((r) => r.requestsPerSecond));
      return {
        rows: [
          {
            scenario: '(b) last_operation (redis)',
            metric: 'req/s (median)',
            omnibroker: ours,
            reference: ref,
            ratio: ours / ref,
            target: '>= 0.8x',
            met: ours / ref >= 0.8,
          },
          ...roundRatioRows(
            '(b) last_operation (redis)',
            measured.a.map((r) => r.requestsPerSecond),
            measured.b.map((r) => r.requestsPerSecond),
          ),
          {
            scenario: '(b) last_operation (redis)',
            metric: 'p99 ms (median)',
            omnibroker: median(measured.a.map((r) => r.p99Ms)),
            reference: median(measured.b.map((r) => r.p99Ms)),
          },
        ],
        rounds: { processes: ctx.processes, broker: measured.a, bare: measured.b },
      };
    } finally {
      await stopAll(bares);
    }
  } finally {
    await stopAll(brokers);
  }
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUpstreamBroker } from '../../test/fakes/upstream-broker/index.ts';
import { startBare } from '../lib/bare-process.ts';
import { BROKER_HEADERS, startBroker } from '../lib/broker-process.ts';
import { runLoad } from '../lib/load.ts';
import { startMany, stopAll } from '../lib/node-process.ts';
import { roundRatioRows, type ScenarioReport } from '../lib/report.ts';
import { interleave, withPeak } from '../lib/rounds.ts';
import { median } from '../lib/stats.ts';
import { bigCatalog } from '../catalog-fixture.ts';
import type { BenchContext } from './context.ts';

const UPSTREAM_CATALOG_BYTES = 268_000;

/** (a) GET /v2/catalog of a ~270 KB merged catalog vs a bare Fastify route sending the same bytes; (e) RSS. */
export async function catalogScenario(ctx: BenchContext): Promise<ScenarioReport> {
  // In-process: the catalog upstream is read once at start-up, never under load.
  const upstream = await startUpstreamBroker({ catalog: bigCatalog(UPSTREAM_CATALOG_BYTES) });
  const brokers = await startMany(ctx.processes, () =>
    startBroker({
      upstreamUrls: [upstream.url],
      state: { type: 'memory' },
      logLevel: ctx.logLevel,
      nodeFlags: ctx.brokerFlags,
    }),
  );
  try {
    const [first] = brokers;
    if (first === undefined) throw new Error('no broker');
    const res = await fetch(`${first.url}/v2/catalog`, { headers: BROKER_HEADERS });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`catalog answered ${res.status}`);
    const file = join(mkdtempSync(join(tmpdir(), 'omnibroker-bench-')), 'catalog.json');
    writeFileSync(file, bytes);
    const bares = await startMany(ctx.processes, () => startBare(['--catalog', file]));
    try {
      const idleMiB = first.rssMiB();
      const settings = { seconds: ctx.seconds, connections: ctx.connections, tool: ctx.load };
      let peakMiB = idleMiB;
      const measured = await interleave(
        ctx.rounds,
        async (p) => {
          const broker = brokers[p] ?? first;
          const { result, peak } = await withPeak(broker.rssMiB, () =>
            runLoad({ url: `${broker.url}/v2/catalog`, headers: BROKER_HEADERS }, settings),
          );
          peakMiB = Math.max(peakMiB, peak);
          return result;
        },
        (p) => runLoad({ url: `${bares[p]?.url}/v2/catalog` }, settings),
        ctx.processes,
      );
      const ours = median(measured.a.map((r) => r.requestsPerSecond));
      const ref = median(measured.b.map((r) => r.requestsPerSecond));
      const scenario = `(a) catalog ${Math.round(bytes.length / 1024)} KiB`;
      return {
        rows: [
          {
            scenario,
            metric: 'req/s (median)',
            omnibroker: ours,
            reference: ref,
            ratio: ours / ref,
            target: '>= 0.9x',
            met: ours / ref >= 0.9,
          },
          ...roundRatioRows(
            scenario,
            measured.a.map((r) => r.requestsPerSecond),
            measured.b.map((r) => r.requestsPerSecond),
          ),
          {
            scenario: '(a) catalog',
            metric: 'p99 ms (median)',
            omnibroker: median(measured.a.map((r) => r.p99Ms)),
            reference: median(measured.b.map((r) => r.p99Ms)),
          },
          { scenario: '(e) broker RSS', metric: 'idle MiB', omnibroker: idleMiB },
          { scenario: '(e) broker RSS', metric: 'peak MiB under catalog load', omnibroker: peakMiB },
        ],
        rounds: { catalogBytes: bytes.length, processes: ctx.processes, broker: measured.a, bare: measured.b },
      };
    } finally {
      await stopAll(bares);
    }
  } finally {
    await stopAll(brokers);
    await upstream.stop();
  }
}

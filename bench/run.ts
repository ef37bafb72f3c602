/**
 * `npm run bench [-- --rounds 3 --seconds 4 --connections 10 --processes 3 --load autocannon|wrk --log-level info --only a,b,c,d --cpu-prof]`
 * Every scenario runs the broker (a real child process) and its bare reference in interleaved rounds,
 * prints the medians as a table and writes everything to bench/results/<time>.json. 127.0.0.1 only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnUpstreamBroker } from '../test/fakes/upstream-broker/process.ts';
import { startRedis } from '../test/support/redis.ts';
import { ROOT } from './lib/node-process.ts';
import type { LoadTool } from './lib/load.ts';
import { formatTable, type ScenarioReport } from './lib/report.ts';
import { catalogScenario } from './scenarios/catalog.ts';
import type { BenchContext } from './scenarios/context.ts';
import { lastOperationScenario } from './scenarios/last-operation.ts';
import { lifecycleScenario } from './scenarios/lifecycle.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
    processes: { type: 'string', default: '3' },
    load: { type: 'string', default: 'autocannon' },
    'log-level': { type: 'string', default: 'info' },
    only: { type: 'string', default: 'a,b,c,d' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
function loadTool(name: string): LoadTool {
  if (name === 'autocannon' || name === 'wrk') return name;
  throw new Error(`--load is autocannon or wrk, not "${name}"`);
}
const resultsDir = join(ROOT, 'bench', 'results');
const profileDir = join(resultsDir, 'profiles');
const only = new Set(values.only.split(','));

const scenarios: Array<[string, (ctx: BenchContext) => Promise<ScenarioReport>]> = [
  ['a', catalogScenario],
  ['b', lastOperationScenario],
  ['c', (ctx) => lifecycleScenario(ctx, { label: '(c) 1 replica, memory', replicas: 1, state: 'memory' })],
  ['c', (ctx) => lifecycleScenario(ctx, { label: '(c) 1 replica, redis', replicas: 1, state: 'redis' })],
  ['d', (ctx) => lifecycleScenario(ctx, { label: '(d) 2 replicas, redis', replicas: 2, state: 'redis' })],
];

const redis = await startRedis();
const upstream = await spawnUpstreamBroker({ mode: 'sync' });
const ctx: BenchContext = {
  rounds: Number(values.rounds),
  seconds: Number(values.seconds),
  connections: Number(values.connections),
  processes: Math.max(1, Number(values.processes)),
  load: loadTool(values.load),
  logLevel: values['log-level'],
  brokerFlags: values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
  redis,
  upstream,
};
const loadBefore = loadavg();
const reports: Record<string, ScenarioReport> = {};
try {
  for (const [key, scenario] of scenarios) {
    if (!only.has(key)) continue;
    const report = await scenario(ctx);
    reports[`${key}:${Object.keys(reports).length}`] = report;
    process.stderr.write(`${formatTable(report.rows)}\n\n`);
  }
} finally {
  await upstream.stop();
  await redis.stop();
}

const rows = Object.values(reports).flatMap((r) => r.rows);
const machine = { cpus: cpus().length, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg() };
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { settings: { ...values, rounds: ctx.rounds, seconds: ctx.seconds }, machine, rows, reports },
    null,
    2,
  ),
);
process.stdout.write(
  `${formatTable(rows)}\n\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${machine.loadavgAfter.map((l) => l.toFixed(2)).join(' ')}\nresults: ${file}\n`,
);

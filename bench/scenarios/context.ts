import type { LoadTool } from '../lib/load.ts';
import type { PrivateRedis } from '../../test/support/redis.ts';
import type { UpstreamBrokerProcess } from '../../test/fakes/upstream-broker/process.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../../test/fakes/upstream-broker/options.ts';

/** What every scenario shares: the run settings and the long-lived helpers started once by run.ts. */
export interface BenchContext {
  rounds: number;
  /** Length of one load round. */
  seconds: number;
  connections: number;
  /** Broker and reference processes per side in (a) and (b); round r loads pair r % processes. */
  processes: number;
  /** The load generator of the throughput scenarios (a) and (b). */
  load: LoadTool;
  logLevel: string;
  /** Node flags for every broker process (`--cpu-prof …` when profiling). */
  brokerFlags: string[];
  redis: PrivateRedis;
  /** The upstream fake in sync mode, as its own process. */
  upstream: UpstreamBrokerProcess;
}

export const UPSTREAM_HEADERS = {
  'x-broker-api-version': '2.17',
  authorization: `Basic ${Buffer.from(`${UPSTREAM_DEFAULT_AUTH.username}:${UPSTREAM_DEFAULT_AUTH.password}`).toString('base64')}`,
};

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/ports.ts';
import { type NodeProcess, spawnNode } from './node-process.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../../test/fakes/upstream-broker/options.ts';

export const BROKER_AUTH = { username: 'platform', password: 'bench-password' };
export const BROKER_HEADERS = {
  'x-broker-api-version': '2.17',
  authorization: `Basic ${Buffer.from(`${BROKER_AUTH.username}:${BROKER_AUTH.password}`).toString('base64')}`,
};

export interface BrokerSettings {
  /** Upstream OSB brokers, each behind one `osb` backend named up0, up1, … */
  upstreamUrls: string[];
  state: { type: 'memory' } | { type: 'redis'; url: string };
  logLevel: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

export interface BrokerProcess extends NodeProcess {
  url: string;
}

/** The real broker as a child process: `node --import tsx src/main.ts serve --config FILE` on 127.0.0.1. */
export async function startBroker(settings: BrokerSettings): Promise<BrokerProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-bench-'));
  const config = {
    listen: { host: '127.0.0.1', port },
    auth: { basic: [BROKER_AUTH] },
    state: settings.state,
    encryption: { keys: [{ id: 'bench', secret: 'bench-encryption-secret-of-at-least-32-chars' }] },
    log: { level: settings.logLevel },
    backends: settings.upstreamUrls.map((url, i) => ({
      name: `up${i}`,
      type: 'osb',
      options: { url, ...UPSTREAM_DEFAULT_AUTH },
    })),
  };
  const file = join(dir, 'omnibroker.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnNode('src/main.ts', ['serve', '--config', file], `${url}/healthz`, settings.nodeFlags);
  return { ...proc, url };
}

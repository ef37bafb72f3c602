import { freePort } from '../../test/support/ports.ts';
import { type NodeProcess, spawnNode } from './node-process.ts';

export interface BareProcess extends NodeProcess {
  url: string;
}

/** bench/bare-server.ts as a child process; `args` pick its route (see that file). */
export async function startBare(args: string[]): Promise<BareProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnNode('bench/bare-server.ts', ['--port', String(port), ...args], `${url}/healthz`);
  return { ...proc, url };
}

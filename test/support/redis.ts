import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort, waitFor } from './ports.ts';

export interface PrivateRedis {
  port: number;
  url: string;
  /** kill -9 and start again on the same port and directory (AOF kept when enabled). */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Up once it answers: PONG, or NOAUTH when it runs with `requirepass`. */
function pingable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A private redis-server on a free port (`--save ""`; `appendonly` optional for durability tests; `password`
 * sets the default user's `requirepass`, and `url` then carries it).
 */
export async function startRedis(options: { appendonly?: boolean; password?: string } = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-redis-'));
  const port = await freePort();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        dir,
        '--appendonly',
        options.appendonly ? 'yes' : 'no',
        ...(options.password === undefined ? [] : ['--requirepass', options.password]),
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => pingable(port), 10_000, `redis-server on ${port}`);
  };
  const kill = async () => {
    const running = child;
    if (running === undefined || running.exitCode !== null) return;
    running.kill('SIGKILL');
    await new Promise((r) => running.once('exit', r));
  };
  await start();
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

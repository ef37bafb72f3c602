import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Failures, RouteName, UpstreamBrokerOptions } from './options.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

export interface UpstreamBrokerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  calls(): Promise<Record<RouteName, number>>;
  setFailure(failures: Failures): Promise<void>;
  /** SIGKILL, as a crashed upstream. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

/** Runs main.ts as a child process on `port` (0: a free one) and waits for the URL it prints. */
export async function spawnUpstreamBroker(
  options: UpstreamBrokerOptions = {},
  port = 0,
  startTimeoutMs = 15_000,
): Promise<UpstreamBrokerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'main.ts'), '--port', String(port), '--config', JSON.stringify(options)],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`upstream broker did not start: ${stderr}`)), startTimeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`upstream broker exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    async calls() {
      const res = await fetch(`${url}/__calls`);
      return (await res.json()) as Record<RouteName, number>;
    },
    async setFailure(failures) {
      await fetch(`${url}/__failures`, { method: 'PUT', body: JSON.stringify(failures) });
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

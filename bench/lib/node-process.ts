import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../test/support/ports.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface NodeProcess {
  child: ChildProcess;
  /** Resident set size now, in MiB (from /proc). */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** `node --import tsx <script> ...args` from the repository root; ready once `readyUrl` answers. */
export async function spawnNode(script: string, args: string[], readyUrl: string, nodeFlags: string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(async () => (await fetch(readyUrl)).status < 500, 20_000, `${script} at ${readyUrl}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const pid = child.pid;
  return {
    child,
    rssMiB() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  } satisfies NodeProcess;
}

/** `count` processes started one after another (their start-ups would otherwise compete for the two cores). */
export async function startMany<P extends NodeProcess>(count: number, start: () => Promise<P>): Promise<P[]> {
  const started: P[] = [];
  try {
    for (let i = 0; i < count; i++) started.push(await start());
  } catch (error) {
    await stopAll(started);
    throw error;
  }
  return started;
}

export async function stopAll(processes: readonly NodeProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
}

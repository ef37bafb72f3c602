import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { TEST_AUTH, TEST_ENCRYPTION_KEY } from './harness.ts';
import { OsbClient, httpSender } from './osb-client.ts';
import { freePort, waitFor } from './ports.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The parts of the config file a fault test chooses; auth, encryption, listen and log are filled in. */
export interface BrokerProcessConfig {
  state: Record<string, unknown>;
  backends: Array<Record<string, unknown>>;
  operations?: Record<string, number>;
  catalog?: { refreshIntervalMs: number };
}

export interface BrokerProcessOptions {
  /** Extra environment of every child (e.g. AWS credentials). */
  env?: Record<string, string>;
  /** Extra environment of the first child only (e.g. OMNIBROKER_CRASH_AT). */
  firstEnv?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface BrokerProcess {
  url: string;
  port: number;
  /** The current child's pid (changes on restart). */
  readonly pid: number;
  client: OsbClient;
  /** Everything the current and earlier children wrote on stderr and stdout (pino logs to stdout). */
  output(): string;
  /** Resolves with the exit code (null after a signal) of the current child. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kill -9 if running, then a new child on the same port and config file, with `env` for this child only. */
  restart(env?: Record<string, string>): Promise<void>;
  /** Stops the child if running and removes the temp dir. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
  return res.status === 200;
}

/** Runs `node --import tsx src/main.ts serve --config FILE` with a generated YAML config, as a platform sees it. */
export async function startBrokerProcess(
  config: BrokerProcessConfig,
  options: BrokerProcessOptions = {},
): Promise<BrokerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-fault-'));
  const port = await freePort();
  const configFile = join(dir, 'omnibroker.yaml');
  writeFileSync(
    configFile,
    stringify({
      listen: { host: '127.0.0.1', port },
      auth: { basic: [TEST_AUTH] },
      encryption: { keys: [TEST_ENCRYPTION_KEY] },
      log: { level: process.env.TEST_LOG_LEVEL ?? 'info' },
      ...config,
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess | undefined;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({
    code: null,
    signal: null,
  });

  const start = async (env: Record<string, string>) => {
    const spawned = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--config', configFile], {
      cwd: root,
      env: { ...process.env, OMNIBROKER_CRASH_AT: '', ...options.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    running.add(spawned);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    spawned.stdout?.on('data', collect);
    spawned.stderr?.on('data', collect);
    exit = new Promise((resolve) =>
      spawned.once('exit', (code, signal) => {
        running.delete(spawned);
        resolve({ code, signal });
      }),
    );
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const dead = exit.then(() => {
      throw new Error(`broker exited during start-up:\n${output}`);
    });
    await Promise.race([waitFor(() => healthy(url), timeoutMs, `broker on ${url}`), dead]);
    dead.catch(() => undefined);
  };
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const signal = async (name: NodeJS.Signals) => {
    if (isRunning()) child?.kill(name);
    return exit;
  };

  await start(options.firstEnv ?? {});
  return {
    url,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    client: new OsbClient(httpSender(url), TEST_AUTH),
    output: () => output,
    exited: () => exit,
    kill: async () => {
      await signal('SIGKILL');
    },
    stop: () => signal('SIGTERM'),
    restart: async (env = {}) => {
      await signal('SIGKILL');
      await start(env);
    },
    dispose: async () => {
      await signal('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

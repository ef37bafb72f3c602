import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

export interface LoadTarget {
  url: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** autocannon runs in the bench process; wrk (a C program, `apt-get install wrk`) leaves more CPU to the servers. */
export type LoadTool = 'autocannon' | 'wrk';

export interface LoadSettings {
  seconds: number;
  connections: number;
  tool: LoadTool;
}

/** One bounded load run (duration-limited, keep-alive, 127.0.0.1 targets only). */
export async function runLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  if (!new URL(target.url).hostname.startsWith('127.')) throw new Error(`refusing to load ${target.url}`);
  return settings.tool === 'wrk' ? runWrk(target, settings) : runAutocannon(target, settings);
}

async function runAutocannon(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  const result = await autocannon({
    url: target.url,
    headers: target.headers ?? {},
    connections: settings.connections,
    duration: settings.seconds,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

function wrkNumber(output: string, pattern: RegExp, what: string): RegExpExecArray {
  const match = pattern.exec(output);
  if (match === null) throw new Error(`wrk printed no ${what}:\n${output}`);
  return match;
}

const wrkLatencyMs = (output: string, percent: string): number => {
  const [, value, unit] = wrkNumber(
    output,
    new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm'),
    `${percent}%`,
  );
  return Number(value) * (UNIT_MS[unit ?? 'ms'] ?? 1);
};

async function runWrk(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  const headers = Object.entries(target.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${settings.connections}`, `-d${settings.seconds}s`, '--latency', ...headers, target.url];
  let output: string;
  try {
    output = (await promisify(execFile)('wrk', args)).stdout;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      throw new Error('--load wrk needs wrk on PATH (apt-get install wrk)');
    throw error;
  }
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(wrkNumber(output, /Requests\/sec:\s+([\d.]+)/, 'Requests/sec')[1]),
    p50Ms: wrkLatencyMs(output, '50'),
    p99Ms: wrkLatencyMs(output, '99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    errors: socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0),
  };
}

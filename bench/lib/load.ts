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

export interface LoadSettings {
  seconds: number;
  connections: number;
}

/** One bounded autocannon run (duration-limited, keep-alive, 127.0.0.1 targets only). */
export async function runLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  if (!new URL(target.url).hostname.startsWith('127.')) throw new Error(`refusing to load ${target.url}`);
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

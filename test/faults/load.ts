/** A bounded closed-loop load generator: a few workers repeating requests, every answer recorded. */
import type { OsbResponse } from '../support/osb-client.ts';

export interface Sample {
  /** ms since the epoch when the request started. */
  at: number;
  ms: number;
  /** HTTP status; 0 when the connection failed. */
  status: number;
  retryAfter: string | undefined;
  label: string;
  body: Record<string, unknown>;
}

export interface Load {
  samples: Sample[];
  /** Stops the workers and waits for the requests in flight. */
  stop(): Promise<Sample[]>;
}

/** Runs `request(i)` on `workers` loops until stopped or `maxRequests` were sent. */
export function startLoad(
  request: (i: number) => { label: string; send: () => Promise<OsbResponse> },
  options: { workers?: number; maxRequests?: number; pauseMs?: number } = {},
): Load {
  const samples: Sample[] = [];
  const maxRequests = options.maxRequests ?? 20_000;
  let stopped = false;
  let sent = 0;
  const worker = async () => {
    while (!stopped && sent < maxRequests) {
      const { label, send } = request(sent++);
      const at = Date.now();
      const started = performance.now();
      let sample: Omit<Sample, 'ms'>;
      try {
        const res = await send();
        const retryAfter = res.headers['retry-after'];
        sample = { at, status: res.status, retryAfter: retryAfter?.toString(), label, body: res.body };
      } catch (error) {
        sample = { at, status: 0, retryAfter: undefined, label, body: { error: (error as Error).message } };
      }
      samples.push({ ...sample, ms: performance.now() - started });
      if (options.pauseMs !== undefined) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const running = Array.from({ length: options.workers ?? 4 }, worker);
  return {
    samples,
    async stop() {
      stopped = true;
      await Promise.all(running);
      return samples;
    },
  };
}

/** The p-th percentile (0..100) of the latencies of `samples`. */
export function percentile(samples: Sample[], p: number): number {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

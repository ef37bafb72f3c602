/** Shared pieces of the fault suite: upstream backend config, ids, tolerant polling, metrics parsing. */
import type { UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import type { OsbClient, OsbResponse } from '../support/osb-client.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

export const SVC = 'up.svc-postgres';
export const PLAN = 'up.plan-small';
export const IDS = { service_id: SVC, plan_id: PLAN };

/** Short intervals so that leases of a killed broker expire and sweeps run within a test. */
export const FAST_OPERATIONS = { minPollIntervalMs: 0, sweepIntervalMs: 200, leaseTtlMs: 1000 };

/** An `osb` backend over an upstream child process; the call deadline stays below FAST_OPERATIONS' lease. */
export function osbBackend(
  name: string,
  upstream: UpstreamBrokerProcess,
  breaker: Record<string, number> = { timeoutMs: 900 },
): Record<string, unknown> {
  return { name, type: 'osb', breaker, options: { url: upstream.url, ...UPSTREAM_DEFAULT_AUTH, timeoutMs: 5_000 } };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value; network errors (a broker being restarted) count as "not yet". */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${last}`);
    await sleep(100);
  }
}

/** last_operation of an instance (or a binding) until it leaves `in progress`; 410 reads as `gone`. */
export function settled(
  client: OsbClient,
  instanceId: string,
  target: { bindingId?: string; operation?: unknown } = {},
  timeoutMs = 20_000,
): Promise<{ status: number; state: string; description?: unknown }> {
  const operation = typeof target.operation === 'string' ? { operation: target.operation } : {};
  return eventually(
    async () => {
      const res =
        target.bindingId === undefined
          ? await client.lastOperation(instanceId, { ...IDS, ...operation })
          : await client.bindingLastOperation(instanceId, target.bindingId, operation);
      if (res.status === 410) return { status: 410, state: 'gone' };
      if (res.status !== 200) throw new Error(`last_operation answered ${res.status}: ${res.text}`);
      const state = String(res.body.state);
      return state === 'in progress' ? undefined : { status: 200, state, description: res.body.description };
    },
    timeoutMs,
    `last_operation of ${instanceId}${target.bindingId === undefined ? '' : `/${target.bindingId}`}`,
  );
}

/** What the upstream itself says: does this instance exist and is it ready there? */
export async function upstreamHasInstance(upstream: UpstreamBrokerProcess, id: string): Promise<boolean> {
  const auth = Buffer.from(`${UPSTREAM_DEFAULT_AUTH.username}:${UPSTREAM_DEFAULT_AUTH.password}`).toString('base64');
  const res = await fetch(`${upstream.url}/v2/service_instances/${id}`, {
    headers: { authorization: `Basic ${auth}`, 'x-broker-api-version': '2.17' },
  });
  await res.arrayBuffer();
  return res.status === 200;
}

/** One sample of a Prometheus text exposition, e.g. metric(text, 'omnibroker_breaker_state', {backend: 'bad'}). */
export function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const found = Object.fromEntries(
      [...inner.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.slice(line.indexOf('}') + 1));
  }
  return undefined;
}

export async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  return res.text();
}

/** Status codes of a set of responses, for assertions like "never 500". */
export const statuses = (responses: OsbResponse[]) => responses.map((r) => r.status);

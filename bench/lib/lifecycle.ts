import { randomUUID } from 'node:crypto';

export interface OsbTarget {
  url: string;
  headers: Record<string, string>;
  serviceId: string;
  planId: string;
}

export interface LifecycleResult {
  lifecycles: number;
  lifecyclesPerSecond: number;
  /** Latency of every call, in ms. */
  callMs: number[];
  failures: number;
  firstFailure?: string;
}

const MAX_LIFECYCLES = 20_000;

type Step = { method: string; path: (i: string, b: string, q: string) => string; body: boolean; ok: number[] };

const STEPS: Step[] = [
  { method: 'PUT', path: (i) => `/v2/service_instances/${i}`, body: true, ok: [200, 201] },
  { method: 'GET', path: (i) => `/v2/service_instances/${i}/last_operation`, body: false, ok: [200] },
  { method: 'PUT', path: (i, b) => `/v2/service_instances/${i}/service_bindings/${b}`, body: true, ok: [200, 201] },
  {
    method: 'DELETE',
    path: (i, b, q) => `/v2/service_instances/${i}/service_bindings/${b}?${q}`,
    body: false,
    ok: [200],
  },
  { method: 'DELETE', path: (i, _b, q) => `/v2/service_instances/${i}?${q}`, body: false, ok: [200] },
];

/**
 * provision → last_operation → bind → unbind → deprovision, one call at a time, for `seconds` (bounded in count too).
 * With several targets, consecutive calls alternate between them (a client-side round-robin).
 */
export async function runLifecycles(targets: OsbTarget[], seconds: number): Promise<LifecycleResult> {
  const callMs: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let lifecycles = 0;
  let call = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline && lifecycles < MAX_LIFECYCLES) {
    const instanceId = randomUUID();
    const bindingId = randomUUID();
    for (const step of STEPS) {
      const target = targets[call % targets.length];
      call += 1;
      if (target === undefined) throw new Error('no target');
      const ids = { service_id: target.serviceId, plan_id: target.planId };
      const body = { ...ids, organization_guid: 'org-bench', space_guid: 'space-bench' };
      const t0 = performance.now();
      const res = await fetch(`${target.url}${step.path(instanceId, bindingId, new URLSearchParams(ids).toString())}`, {
        method: step.method,
        headers: { ...target.headers, ...(step.body ? { 'content-type': 'application/json' } : {}) },
        ...(step.body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      callMs.push(performance.now() - t0);
      if (!step.ok.includes(res.status)) {
        failures += 1;
        firstFailure ??= `${step.method} ${step.path(instanceId, bindingId, '')} → ${res.status} ${text.slice(0, 200)}`;
      }
    }
    lifecycles += 1;
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    lifecycles,
    lifecyclesPerSecond: lifecycles / elapsedSeconds,
    callMs,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

import type { ClientAuth, OsbRequest, OsbResponse, Send } from '../support/osb-client.ts';

/**
 * How Korifi's reconcilers talk to a broker (OSB-RULES 18-20), written from its behaviour rather than its code:
 * no `context`, no identity headers, `"parameters": null`, `app_guid: ""`; every PUT and DELETE is re-sent by
 * the controller's rate limiter (5 ms, doubling) about ten times while the operation runs, and again on every
 * reconcile; `Retry-After` is ignored; a finished binding's credentials come only from a re-sent PUT.
 */
export interface ResendSchedule {
  /** Requests in one burst, the first included. */
  sends: number;
  firstDelayMs: number;
}

/** Ten sends, 5 ms doubling: the last one about 2.5 s after the first. */
export const KORIFI_RESENDS: ResendSchedule = { sends: 10, firstDelayMs: 5 };

export interface PlanIds {
  service_id: string;
  plan_id: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KorifiClient {
  constructor(
    private readonly send: Send,
    private readonly auth: ClientAuth,
    private readonly schedule: ResendSchedule = KORIFI_RESENDS,
  ) {}

  /** One request with Korifi's headers only: the API version and basic auth. */
  async once(request: Omit<OsbRequest, 'headers'>): Promise<OsbResponse> {
    const authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    return this.send({ ...request, headers: { 'x-broker-api-version': '2.17', authorization } });
  }

  /** The same request re-sent on the rate limiter's schedule, each after the previous answer. */
  async burst(request: Omit<OsbRequest, 'headers'>): Promise<OsbResponse[]> {
    const answers: OsbResponse[] = [];
    let delay = this.schedule.firstDelayMs;
    for (let i = 0; i < this.schedule.sends; i += 1) {
      if (i > 0) {
        await sleep(delay);
        delay *= 2;
      }
      answers.push(await this.once(request));
    }
    return answers;
  }

  provisionRequest(instanceId: string, ids: PlanIds): Omit<OsbRequest, 'headers'> {
    return {
      method: 'PUT',
      path: `/v2/service_instances/${instanceId}?accepts_incomplete=true`,
      body: { ...ids, organization_guid: 'korifi-org', space_guid: 'korifi-space', parameters: null },
    };
  }

  bindRequest(instanceId: string, bindingId: string, ids: PlanIds): Omit<OsbRequest, 'headers'> {
    return {
      method: 'PUT',
      path: `/v2/service_instances/${instanceId}/service_bindings/${bindingId}?accepts_incomplete=true`,
      body: { ...ids, app_guid: '', bind_resource: { app_guid: '' }, parameters: null },
    };
  }

  deprovisionRequest(instanceId: string, ids: PlanIds): Omit<OsbRequest, 'headers'> {
    const query = new URLSearchParams({ ...ids, accepts_incomplete: 'true' });
    return { method: 'DELETE', path: `/v2/service_instances/${instanceId}?${query.toString()}` };
  }

  unbindRequest(instanceId: string, bindingId: string, ids: PlanIds): Omit<OsbRequest, 'headers'> {
    const query = new URLSearchParams({ ...ids, accepts_incomplete: 'true' });
    return {
      method: 'DELETE',
      path: `/v2/service_instances/${instanceId}/service_bindings/${bindingId}?${query.toString()}`,
    };
  }

  lastOperationRequest(path: string, operation: string | undefined, ids: PlanIds): Omit<OsbRequest, 'headers'> {
    const query = new URLSearchParams({ ...ids, ...(operation === undefined ? {} : { operation }) });
    return { method: 'GET', path: `${path}/last_operation?${query.toString()}` };
  }

  /**
   * Polls a last_operation every `intervalMs` until it leaves `in progress` (or answers 410).
   * `path` is the instance or binding path.
   */
  async pollUntilDone(
    path: string,
    operation: string | undefined,
    ids: PlanIds,
    intervalMs = 5,
    timeoutMs = 15_000,
  ): Promise<{ final: OsbResponse; answers: OsbResponse[] }> {
    const answers: OsbResponse[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.once(this.lastOperationRequest(path, operation, ids));
      answers.push(res);
      if (res.status !== 200 || res.body.state !== 'in progress') return { final: res, answers };
      if (Date.now() > deadline) throw new Error(`still in progress after ${timeoutMs} ms: ${res.text}`);
      await sleep(intervalMs);
    }
  }
}

/** A small OSB client for tests: speaks HTTP to a real URL or to a Fastify app through inject(). */
export interface OsbResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  text: string;
}

export interface OsbRequest {
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Send = (request: OsbRequest) => Promise<OsbResponse>;

export interface InjectableApp {
  inject(options: { method: string; url: string; payload?: string; headers: Record<string, string> }): Promise<{
    statusCode: number;
    headers: Record<string, string | string[] | number | undefined>;
    body: string;
  }>;
}

function parse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { __unparsable: text };
  }
}

export function injectSender(app: InjectableApp): Send {
  return async ({ method, path, body, headers = {} }) => {
    const res = await app.inject({
      method,
      url: path,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const outHeaders: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) outHeaders[k] = typeof v === 'number' ? String(v) : v;
    return { status: res.statusCode, headers: outHeaders, body: parse(res.body), text: res.body };
  };
}

export function httpSender(baseUrl: string): Send {
  return async ({ method, path, body, headers = {} }) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    const received: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      received[key] = value;
    });
    return { status: res.status, headers: received, body: parse(text), text };
  };
}

export interface ClientAuth {
  username: string;
  password: string;
}

const query = (params: Record<string, string | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
};

export class OsbClient {
  constructor(
    private readonly send: Send,
    private readonly auth: ClientAuth = { username: 'platform', password: 'test-password' },
    private readonly apiVersion = '2.17',
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'x-broker-api-version': this.apiVersion,
      authorization: `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`,
      ...extra,
    };
  }

  raw(request: OsbRequest): Promise<OsbResponse> {
    return this.send({ ...request, headers: { ...this.headers(), ...request.headers } });
  }

  catalog(): Promise<OsbResponse> {
    return this.raw({ method: 'GET', path: '/v2/catalog' });
  }

  provision(id: string, body: Record<string, unknown>, acceptsIncomplete = true): Promise<OsbResponse> {
    const body_ = { organization_guid: 'org-1', space_guid: 'space-1', ...body };
    return this.raw({
      method: 'PUT',
      path: `/v2/service_instances/${id}${query({ accepts_incomplete: String(acceptsIncomplete) })}`,
      body: body_,
    });
  }

  update(id: string, body: Record<string, unknown>, acceptsIncomplete = true): Promise<OsbResponse> {
    return this.raw({
      method: 'PATCH',
      path: `/v2/service_instances/${id}${query({ accepts_incomplete: String(acceptsIncomplete) })}`,
      body,
    });
  }

  deprovision(
    id: string,
    ids: { service_id: string; plan_id: string },
    acceptsIncomplete = true,
  ): Promise<OsbResponse> {
    return this.raw({
      method: 'DELETE',
      path: `/v2/service_instances/${id}${query({ ...ids, accepts_incomplete: String(acceptsIncomplete) })}`,
    });
  }

  getInstance(id: string): Promise<OsbResponse> {
    return this.raw({ method: 'GET', path: `/v2/service_instances/${id}` });
  }

  lastOperation(
    id: string,
    params: { operation?: string; service_id?: string; plan_id?: string } = {},
  ): Promise<OsbResponse> {
    return this.raw({ method: 'GET', path: `/v2/service_instances/${id}/last_operation${query(params)}` });
  }

  bind(
    instanceId: string,
    bindingId: string,
    body: Record<string, unknown>,
    acceptsIncomplete?: boolean,
  ): Promise<OsbResponse> {
    const q = acceptsIncomplete === undefined ? '' : query({ accepts_incomplete: String(acceptsIncomplete) });
    return this.raw({
      method: 'PUT',
      path: `/v2/service_instances/${instanceId}/service_bindings/${bindingId}${q}`,
      body,
    });
  }

  getBinding(instanceId: string, bindingId: string): Promise<OsbResponse> {
    return this.raw({ method: 'GET', path: `/v2/service_instances/${instanceId}/service_bindings/${bindingId}` });
  }

  bindingLastOperation(
    instanceId: string,
    bindingId: string,
    params: { operation?: string } = {},
  ): Promise<OsbResponse> {
    return this.raw({
      method: 'GET',
      path: `/v2/service_instances/${instanceId}/service_bindings/${bindingId}/last_operation${query(params)}`,
    });
  }

  unbind(
    instanceId: string,
    bindingId: string,
    ids: { service_id: string; plan_id: string },
    acceptsIncomplete = true,
  ): Promise<OsbResponse> {
    return this.raw({
      method: 'DELETE',
      path: `/v2/service_instances/${instanceId}/service_bindings/${bindingId}${query({ ...ids, accepts_incomplete: String(acceptsIncomplete) })}`,
    });
  }

  /** Polls last_operation until it leaves `in progress`; returns the final body. */
  async waitForInstance(
    id: string,
    operation?: string,
    timeoutMs = 20_000,
    intervalMs = 50,
  ): Promise<Record<string, unknown>> {
    return this.waitFor(
      () => this.lastOperation(id, operation === undefined ? {} : { operation }),
      timeoutMs,
      intervalMs,
    );
  }

  async waitForBinding(instanceId: string, bindingId: string, operation?: string, timeoutMs = 20_000, intervalMs = 50) {
    return this.waitFor(
      () => this.bindingLastOperation(instanceId, bindingId, operation === undefined ? {} : { operation }),
      timeoutMs,
      intervalMs,
    );
  }

  private async waitFor(poll: () => Promise<OsbResponse>, timeoutMs: number, intervalMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await poll();
      if (res.status === 410) return { state: 'gone' };
      if (res.status !== 200) throw new Error(`last_operation answered ${res.status}: ${res.text}`);
      if (res.body.state !== 'in progress') return res.body;
      if (Date.now() > deadline) throw new Error(`operation still in progress after ${timeoutMs} ms: ${res.text}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

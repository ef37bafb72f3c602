import {
  type Backend,
  type BindingLastOperationRequest,
  type BindOutput,
  type BindRequest,
  type CallContext,
  type Catalog,
  type Credentials,
  type DeprovisionOutput,
  type DeprovisionRequest,
  done,
  errors,
  type HealthStatus,
  type InstanceView,
  type JsonObject,
  type LastOperationRequest,
  normalizeCredentials,
  type OperationState,
  type OperationStatus,
  type Outcome,
  type ProvisionOutput,
  type ProvisionRequest,
  started,
  type UnbindOutput,
  type UnbindRequest,
  type UpdateOutput,
  type UpdateRequest,
} from '../../plugin-api/index.ts';
import { decodeOperation, encodeOperation } from './operation-token.ts';
import type { UpstreamAnswer, UpstreamClient } from './upstream-client.ts';
import { upstreamDescription } from './upstream-errors.ts';

export interface CredentialPolicy {
  normalize: boolean;
  type: string | undefined;
  provider: string | undefined;
}

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const STATES: readonly OperationState[] = ['in progress', 'succeeded', 'failed'];

const instancePath = (id: string) => `/v2/service_instances/${encodeURIComponent(id)}`;
const bindingPath = (instanceId: string, bindingId: string) =>
  `${instancePath(instanceId)}/service_bindings/${encodeURIComponent(bindingId)}`;

/** Only non-empty parameters are sent (Korifi's `null` and CC's `{}` both mean none). */
const withParameters = (parameters: JsonObject): JsonObject =>
  Object.keys(parameters).length === 0 ? {} : { parameters };

const dashboardOf = (answer: UpstreamAnswer): ProvisionOutput => {
  const url = nonEmptyString(answer.body.dashboard_url);
  return url === undefined ? {} : { dashboardUrl: url };
};

/** Proxies every call to one upstream OSB broker, in the backend's own (un-namespaced) ids. */
export class OsbBackend implements Backend {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly credentialPolicy: CredentialPolicy,
  ) {}

  async close(): Promise<void> {
    this.upstream.close();
  }

  async catalog(ctx: CallContext): Promise<Catalog> {
    const answer = await this.upstream.call(
      { method: 'GET', path: '/v2/catalog', accept: [200], what: 'catalog' },
      ctx,
    );
    if (!Array.isArray(answer.body.services)) {
      throw errors.internal(`upstream broker ${this.upstream.origin} sent a catalog without a services array`);
    }
    // Passed through as is (schemas, flags, metadata); the broker decides what it can publish.
    return answer.body as unknown as Catalog;
  }

  async provision(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>> {
    const organizationGuid = request.organizationGuid ?? nonEmptyString(request.context.organization_guid);
    const spaceGuid = request.spaceGuid ?? nonEmptyString(request.context.space_guid);
    const answer = await this.upstream.call(
      {
        method: 'PUT',
        path: instancePath(request.instanceId),
        query: { accepts_incomplete: String(request.acceptsIncomplete) },
        body: {
          service_id: request.serviceId,
          plan_id: request.planId,
          ...(organizationGuid === undefined ? {} : { organization_guid: organizationGuid }),
          ...(spaceGuid === undefined ? {} : { space_guid: spaceGuid }),
          context: request.context,
          ...withParameters(request.parameters),
          ...(request.maintenanceInfo === undefined ? {} : { maintenance_info: request.maintenanceInfo }),
        },
        accept: [200, 201, 202],
        what: `provision of instance ${request.instanceId}`,
      },
      ctx,
    );
    return this.outcome(answer, false, dashboardOf(answer));
  }

  async update(request: UpdateRequest, ctx: CallContext): Promise<Outcome<UpdateOutput>> {
    const { instance } = request;
    const answer = await this.upstream.call(
      {
        method: 'PATCH',
        path: instancePath(instance.id),
        query: { accepts_incomplete: String(request.acceptsIncomplete) },
        body: {
          service_id: instance.serviceId,
          ...(request.planId === instance.planId ? {} : { plan_id: request.planId }),
          context: request.context,
          ...withParameters(request.parameters),
          ...(request.maintenanceInfo === undefined ? {} : { maintenance_info: request.maintenanceInfo }),
          previous_values: { service_id: instance.serviceId, plan_id: instance.planId },
        },
        accept: [200, 202],
        what: `update of instance ${instance.id}`,
      },
      ctx,
    );
    return this.outcome(answer, false, dashboardOf(answer));
  }

  async deprovision(request: DeprovisionRequest, ctx: CallContext): Promise<Outcome<DeprovisionOutput>> {
    const { instance } = request;
    const answer = await this.upstream.call(
      {
        method: 'DELETE',
        path: instancePath(instance.id),
        query: this.deleteQuery(instance, request.acceptsIncomplete),
        accept: [200, 202, 410],
        what: `deprovision of instance ${instance.id}`,
      },
      ctx,
    );
    return this.outcome(answer, false, {});
  }

  async lastOperation(request: LastOperationRequest, ctx: CallContext): Promise<OperationStatus<ProvisionOutput>> {
    const { instance } = request;
    const { operation } = decodeOperation(request.operation, false);
    const answer = await this.upstream.call(
      {
        method: 'GET',
        path: `${instancePath(instance.id)}/last_operation`,
        query: { service_id: instance.serviceId, plan_id: instance.planId, operation },
        accept: [200, 410],
        what: `last_operation of instance ${instance.id}`,
      },
      ctx,
    );
    if (answer.status === 410) return this.goneStatus(request.kind === 'deprovision', answer);
    return this.operationStatus(answer);
  }

  async bind(request: BindRequest, ctx: CallContext): Promise<Outcome<BindOutput>> {
    const { instance } = request;
    const appGuid = nonEmptyString(request.bindResource?.app_guid);
    const answer = await this.upstream.call(
      {
        method: 'PUT',
        path: bindingPath(instance.id, request.bindingId),
        query: { accepts_incomplete: String(request.acceptsIncomplete) },
        body: {
          service_id: instance.serviceId,
          plan_id: instance.planId,
          context: request.context,
          ...(appGuid === undefined ? {} : { app_guid: appGuid }),
          ...(request.bindResource === undefined ? {} : { bind_resource: request.bindResource }),
          ...withParameters(request.parameters),
        },
        accept: [200, 201, 202],
        what: `bind ${request.bindingId} of instance ${instance.id}`,
      },
      ctx,
    );
    if (answer.status === 202) return started(encodeOperation(answer.body.operation, true));
    return done(this.bindOutput(answer.body));
  }

  async unbind(request: UnbindRequest, ctx: CallContext): Promise<Outcome<UnbindOutput>> {
    const { instance, binding } = request;
    const answer = await this.upstream.call(
      {
        method: 'DELETE',
        path: bindingPath(instance.id, binding.id),
        query: this.deleteQuery(instance, request.acceptsIncomplete),
        accept: [200, 202, 410],
        what: `unbind ${binding.id} of instance ${instance.id}`,
      },
      ctx,
    );
    return this.outcome(answer, true, {});
  }

  async lastBindingOperation(
    request: BindingLastOperationRequest,
    ctx: CallContext,
  ): Promise<OperationStatus<BindOutput>> {
    const { instance, binding } = request;
    const { operation } = decodeOperation(request.operation, true);
    const path = bindingPath(instance.id, binding.id);
    const answer = await this.upstream.call(
      {
        method: 'GET',
        path: `${path}/last_operation`,
        query: { service_id: instance.serviceId, plan_id: instance.planId, operation },
        accept: [200, 410],
        what: `last_operation of binding ${binding.id}`,
      },
      ctx,
    );
    if (answer.status === 410) return this.goneStatus(request.kind === 'unbind', answer);
    const status = this.operationStatus(answer);
    if (status.state !== 'succeeded' || request.kind !== 'bind') return status;
    // An async bind's credentials are only available from the binding itself.
    const fetched = await this.upstream.call(
      { method: 'GET', path, accept: [200], what: `fetch of binding ${binding.id}` },
      ctx,
    );
    return { ...status, output: this.bindOutput(fetched.body) };
  }

  async health(ctx: CallContext): Promise<HealthStatus> {
    try {
      await this.catalog(ctx);
      return { ok: true, detail: `upstream broker ${this.upstream.origin} answers` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  private deleteQuery(instance: InstanceView, acceptsIncomplete: boolean): Record<string, string> {
    return {
      service_id: instance.serviceId,
      plan_id: instance.planId,
      accepts_incomplete: String(acceptsIncomplete),
    };
  }

  /** 202 → started (token keeps the upstream `operation`); 200/201, and 410 for a delete → done. */
  private outcome<T>(answer: UpstreamAnswer, binding: boolean, output: T): Outcome<T> {
    if (answer.status === 202) {
      const partial = Object.keys(output as object).length === 0 ? undefined : (output as Partial<T>);
      return started(encodeOperation(answer.body.operation, binding), partial);
    }
    return done(output);
  }

  private operationStatus(answer: UpstreamAnswer): OperationStatus<never> {
    const state = answer.body.state;
    if (typeof state !== 'string' || !STATES.includes(state as OperationState)) {
      throw errors.internal(
        `upstream broker ${this.upstream.origin} answered last_operation with state ${JSON.stringify(state)}`,
      );
    }
    const description = nonEmptyString(answer.body.description);
    return { state: state as OperationState, ...(description === undefined ? {} : { description }) };
  }

  /** 410 from last_operation: a finished delete, or (for anything else) the upstream lost the resource. */
  private goneStatus(deleting: boolean, answer: UpstreamAnswer): OperationStatus<never> {
    if (deleting) return { state: 'succeeded' };
    return {
      state: 'failed',
      description: `upstream broker says it is gone: ${upstreamDescription(410, answer.body)}`,
    };
  }

  private bindOutput(body: JsonObject): BindOutput {
    const upstreamCredentials = isObject(body.credentials) ? body.credentials : {};
    const { normalize, type, provider } = this.credentialPolicy;
    const credentials = normalize
      ? normalizeCredentials(upstreamCredentials, {
          ...(type === undefined ? {} : { type }),
          ...(provider === undefined ? {} : { provider }),
        })
      : // Unchanged on purpose (OSB-RULES 25): the platform gets exactly what the upstream sent.
        (upstreamCredentials as Credentials);
    const syslogDrainUrl = nonEmptyString(body.syslog_drain_url);
    const routeServiceUrl = nonEmptyString(body.route_service_url);
    const volumeMounts = Array.isArray(body.volume_mounts) ? body.volume_mounts.filter(isObject) : undefined;
    return {
      credentials,
      ...(syslogDrainUrl === undefined ? {} : { syslogDrainUrl }),
      ...(routeServiceUrl === undefined ? {} : { routeServiceUrl }),
      ...(volumeMounts === undefined ? {} : { volumeMounts }),
    };
  }
}

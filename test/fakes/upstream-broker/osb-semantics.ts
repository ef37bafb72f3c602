import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  asObject,
  findPlan,
  isBindable,
  isPlanUpdateable,
  maintenanceVersion,
  type PlanInfo,
} from './catalog-lookup.ts';
import type { RouteName } from './options.ts';
import {
  type BindingRecord,
  type InstanceRecord,
  type JsonObject,
  newOperation,
  type Operation,
  type UpstreamState,
} from './state.ts';

export interface OsbCall {
  route: RouteName;
  instanceId: string;
  bindingId: string;
  query: URLSearchParams;
  body: JsonObject;
}

export interface Reply {
  status: number;
  body: unknown;
}

export interface SemanticsOptions {
  catalog: unknown;
  mode: 'async' | 'sync';
  asyncMs: number;
  credentials: JsonObject;
  /** Returns (and forgets) the injected failure for the next provision, if any. */
  takeProvisionFailure(): string | undefined;
}

const reply = (status: number, body: unknown = {}): Reply => ({ status, body });
const fail = (status: number, description: string, error?: string): Reply =>
  reply(status, error === undefined ? { description } : { error, description });

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `parameters` absent or null means none; anything but an object is a 400. */
function parametersOf(body: JsonObject): JsonObject | Reply {
  if (body.parameters === undefined || body.parameters === null) return {};
  return asObject(body.parameters) ?? fail(400, 'parameters must be a JSON object');
}

const isReply = (value: unknown): value is Reply =>
  typeof value === 'object' && value !== null && 'status' in value && 'body' in value;

/** The OSB 2.17 behaviour of every route, without HTTP. */
export class OsbSemantics {
  constructor(
    private readonly options: SemanticsOptions,
    readonly state: UpstreamState,
  ) {}

  handle(call: OsbCall): Reply {
    this.state.settle();
    switch (call.route) {
      case 'catalog':
        return reply(200, this.options.catalog);
      case 'provision':
        return this.provision(call);
      case 'update':
        return this.update(call);
      case 'deprovision':
        return this.deprovision(call);
      case 'fetchInstance':
        return this.fetchInstance(call);
      case 'lastOperation':
        return this.lastOperation(call);
      case 'bind':
        return this.bind(call);
      case 'unbind':
        return this.unbind(call);
      case 'fetchBinding':
        return this.fetchBinding(call);
      case 'bindingLastOperation':
        return this.bindingLastOperation(call);
    }
  }

  private isAsync(call: OsbCall): boolean {
    return this.options.mode === 'async' && call.query.get('accepts_incomplete') === 'true';
  }

  /** Provision, update and deprovision always take time in async mode. */
  private asyncRequired(call: OsbCall): Reply | undefined {
    if (this.options.mode === 'async' && !this.isAsync(call)) {
      return fail(
        422,
        'This service plan requires client support for asynchronous service operations.',
        'AsyncRequired',
      );
    }
    return undefined;
  }

  private finishesAt(): number {
    return Date.now() + this.options.asyncMs;
  }

  private liveInstance(id: string): InstanceRecord | undefined {
    const instance = this.state.instances.get(id);
    return instance === undefined || instance.status === 'deleted' ? undefined : instance;
  }

  private maintenanceConflict(body: JsonObject, info: PlanInfo): Reply | undefined {
    const requested = asObject(body.maintenance_info)?.version;
    const offered = maintenanceVersion(info);
    if (requested === undefined || requested === offered) return undefined;
    return fail(
      422,
      `maintenance_info.version ${String(requested)} does not match the plan's ${offered ?? '(none)'}`,
      'MaintenanceInfoConflict',
    );
  }

  private provision(call: OsbCall): Reply {
    const { body, instanceId } = call;
    const serviceId = nonEmpty(body.service_id);
    const planId = nonEmpty(body.plan_id);
    const organizationGuid = nonEmpty(body.organization_guid);
    const spaceGuid = nonEmpty(body.space_guid);
    if (serviceId === undefined || planId === undefined) return fail(400, 'service_id and plan_id are required');
    if (organizationGuid === undefined || spaceGuid === undefined) {
      return fail(400, 'organization_guid and space_guid are required');
    }
    const info = findPlan(this.options.catalog, serviceId, planId);
    if (typeof info === 'string') return fail(400, info);
    const parameters = parametersOf(body);
    if (isReply(parameters)) return parameters;
    const conflict = this.maintenanceConflict(body, info);
    if (conflict !== undefined) return conflict;

    const existing = this.liveInstance(instanceId);
    if (existing !== undefined) {
      const identical =
        existing.serviceId === serviceId &&
        existing.planId === planId &&
        existing.organizationGuid === organizationGuid &&
        existing.spaceGuid === spaceGuid &&
        isDeepStrictEqual(existing.parameters, parameters);
      if (!identical) return fail(409, `service instance ${instanceId} already exists with different attributes`);
      const running = this.state.inProgress(existing);
      if (running?.kind === 'provision') {
        return reply(202, { operation: running.id, dashboard_url: existing.dashboardUrl });
      }
      if (running !== undefined)
        return fail(422, `a ${running.kind} of ${instanceId} is in progress`, 'ConcurrencyError');
      if (existing.status === 'failed')
        return fail(409, `service instance ${instanceId} failed to provision; delete it`);
      return reply(200, { dashboard_url: existing.dashboardUrl });
    }
    const asyncRequired = this.asyncRequired(call);
    if (asyncRequired !== undefined) return asyncRequired;

    const failure = this.options.takeProvisionFailure();
    if (failure !== undefined && this.options.mode === 'sync') return fail(500, failure);
    const op = newOperation('provision', this.finishesAt(), failure);
    const instance: InstanceRecord = {
      id: instanceId,
      serviceId,
      planId,
      parameters,
      context: asObject(body.context) ?? {},
      organizationGuid,
      spaceGuid,
      dashboardUrl: `https://upstream.example/dashboard/${encodeURIComponent(instanceId)}`,
      status: 'creating',
      operations: [op],
    };
    this.state.instances.set(instanceId, instance);
    this.state.watchInstance(instance);
    if (this.options.mode === 'sync') {
      this.finishNow(op);
      return reply(201, { dashboard_url: instance.dashboardUrl });
    }
    return reply(202, { operation: op.id, dashboard_url: instance.dashboardUrl });
  }

  private update(call: OsbCall): Reply {
    const { body, instanceId } = call;
    const instance = this.liveInstance(instanceId);
    if (instance === undefined) return fail(404, `service instance ${instanceId} does not exist`);
    const serviceId = nonEmpty(body.service_id);
    if (serviceId === undefined) return fail(400, 'service_id is required');
    if (serviceId !== instance.serviceId) return fail(400, `service_id ${serviceId} is not the instance's service`);
    const running = this.state.inProgress(instance);
    if (running?.kind === 'update') return reply(202, { operation: running.id });
    if (running !== undefined)
      return fail(422, `a ${running.kind} of ${instanceId} is in progress`, 'ConcurrencyError');
    const planId = nonEmpty(body.plan_id) ?? instance.planId;
    const info = findPlan(this.options.catalog, serviceId, planId);
    if (typeof info === 'string') return fail(400, info);
    const current = findPlan(this.options.catalog, serviceId, instance.planId);
    if (planId !== instance.planId && (typeof current === 'string' || !isPlanUpdateable(current))) {
      return fail(400, `plan changes are not supported for plan ${instance.planId}`);
    }
    const parameters = parametersOf(body);
    if (isReply(parameters)) return parameters;
    const conflict = this.maintenanceConflict(body, info);
    if (conflict !== undefined) return conflict;
    const asyncRequired = this.asyncRequired(call);
    if (asyncRequired !== undefined) return asyncRequired;

    const op = newOperation('update', this.finishesAt());
    instance.operations.push(op);
    this.state.watchInstance(instance);
    instance.pendingUpdate = { planId, parameters };
    instance.status = 'updating';
    if (this.options.mode === 'sync') {
      this.finishNow(op);
      return reply(200, {});
    }
    return reply(202, { operation: op.id });
  }

  private deprovision(call: OsbCall): Reply {
    const { query, instanceId } = call;
    if (nonEmpty(query.get('service_id')) === undefined || nonEmpty(query.get('plan_id')) === undefined) {
      return fail(400, 'service_id and plan_id query parameters are required');
    }
    const instance = this.liveInstance(instanceId);
    if (instance === undefined) return reply(410, {});
    if (query.get('service_id') !== instance.serviceId) return fail(400, 'service_id does not match the instance');
    const running = this.state.inProgress(instance);
    if (running?.kind === 'deprovision') return reply(202, { operation: running.id });
    if (running !== undefined)
      return fail(422, `a ${running.kind} of ${instanceId} is in progress`, 'ConcurrencyError');
    const asyncRequired = this.asyncRequired(call);
    if (asyncRequired !== undefined) return asyncRequired;

    const op = newOperation('deprovision', this.finishesAt());
    instance.operations.push(op);
    this.state.watchInstance(instance);
    instance.status = 'deleting';
    if (this.options.mode === 'sync') {
      this.finishNow(op);
      return reply(200, {});
    }
    return reply(202, { operation: op.id });
  }

  private fetchInstance(call: OsbCall): Reply {
    const instance = this.liveInstance(call.instanceId);
    if (instance === undefined || (instance.status !== 'ready' && instance.status !== 'updating')) {
      return fail(404, `service instance ${call.instanceId} does not exist or is not ready`);
    }
    return reply(200, {
      service_id: instance.serviceId,
      plan_id: instance.planId,
      dashboard_url: instance.dashboardUrl,
      parameters: instance.parameters,
    });
  }

  /** The operation a last_operation call asks about, or the reply that says why there is none. */
  private operationOf(record: { operations: Operation[] }, query: URLSearchParams): Operation | Reply {
    const wanted = nonEmpty(query.get('operation'));
    const op =
      wanted === undefined ? this.state.latest(record) : record.operations.find((candidate) => candidate.id === wanted);
    if (op === undefined) {
      return fail(400, wanted === undefined ? 'no operation is known' : `operation ${wanted} is unknown`);
    }
    return op;
  }

  /** service_id and plan_id are optional hints; when sent they must be right. */
  private hintsMismatch(query: URLSearchParams, serviceId: string, planIds: string[]): Reply | undefined {
    const serviceHint = nonEmpty(query.get('service_id'));
    const planHint = nonEmpty(query.get('plan_id'));
    if (serviceHint !== undefined && serviceHint !== serviceId) return fail(400, `service_id ${serviceHint} is wrong`);
    if (planHint !== undefined && !planIds.includes(planHint)) return fail(400, `plan_id ${planHint} is wrong`);
    return undefined;
  }

  private lastOperation(call: OsbCall): Reply {
    const instance = this.state.instances.get(call.instanceId);
    if (instance === undefined) return fail(404, `service instance ${call.instanceId} does not exist`);
    const plans = [instance.planId, ...(instance.pendingUpdate === undefined ? [] : [instance.pendingUpdate.planId])];
    const mismatch = this.hintsMismatch(call.query, instance.serviceId, plans);
    if (mismatch !== undefined) return mismatch;
    const op = this.operationOf(instance, call.query);
    if (isReply(op)) return op;
    if (op.kind === 'deprovision' && op.state === 'succeeded') return reply(410, {});
    return reply(200, { state: op.state, ...(op.description === undefined ? {} : { description: op.description }) });
  }

  private liveBinding(call: OsbCall): BindingRecord | undefined {
    const binding = this.state.bindings.get(call.bindingId);
    if (binding === undefined || binding.instanceId !== call.instanceId || binding.status === 'deleted')
      return undefined;
    return binding;
  }

  private bind(call: OsbCall): Reply {
    const { body, instanceId, bindingId } = call;
    const instance = this.liveInstance(instanceId);
    if (instance === undefined) return fail(404, `service instance ${instanceId} does not exist`);
    const serviceId = nonEmpty(body.service_id);
    const planId = nonEmpty(body.plan_id);
    if (serviceId === undefined || planId === undefined) return fail(400, 'service_id and plan_id are required');
    if (serviceId !== instance.serviceId || planId !== instance.planId) {
      return fail(400, 'service_id and plan_id must be those of the instance');
    }
    const info = findPlan(this.options.catalog, serviceId, planId);
    if (typeof info === 'string') return fail(400, info);
    if (!isBindable(info)) return fail(400, `plan ${planId} of service ${serviceId} is not bindable`);
    if (instance.status !== 'ready' && instance.status !== 'updating') {
      return fail(422, `service instance ${instanceId} is ${instance.status}`, 'ConcurrencyError');
    }
    const parameters = parametersOf(body);
    if (isReply(parameters)) return parameters;
    const bindResource = asObject(body.bind_resource) ?? {};

    const existing = this.liveBinding(call);
    if (existing !== undefined) {
      const identical =
        isDeepStrictEqual(existing.parameters, parameters) && isDeepStrictEqual(existing.bindResource, bindResource);
      if (!identical) return fail(409, `service binding ${bindingId} already exists with different attributes`);
      const running = this.state.inProgress(existing);
      if (running?.kind === 'bind') return reply(202, { operation: running.id });
      if (running !== undefined) return fail(422, `an unbind of ${bindingId} is in progress`, 'ConcurrencyError');
      return reply(200, { credentials: existing.credentials });
    }
    const op = newOperation('bind', this.finishesAt());
    const binding: BindingRecord = {
      id: bindingId,
      instanceId,
      serviceId,
      planId,
      parameters,
      bindResource,
      credentials: this.credentialsFor(instanceId),
      status: 'creating',
      operations: [op],
    };
    this.state.addBinding(bindingId, binding);
    if (!this.isAsync(call)) {
      this.finishNow(op);
      return reply(201, { credentials: binding.credentials });
    }
    return reply(202, { operation: op.id });
  }

  private unbind(call: OsbCall): Reply {
    const { query, bindingId } = call;
    if (nonEmpty(query.get('service_id')) === undefined || nonEmpty(query.get('plan_id')) === undefined) {
      return fail(400, 'service_id and plan_id query parameters are required');
    }
    const binding = this.liveBinding(call);
    if (binding === undefined) return reply(410, {});
    const running = this.state.inProgress(binding);
    if (running?.kind === 'unbind') return reply(202, { operation: running.id });
    if (running !== undefined) return fail(422, `a bind of ${bindingId} is in progress`, 'ConcurrencyError');
    const op = newOperation('unbind', this.finishesAt());
    binding.operations.push(op);
    this.state.watchBinding(binding);
    binding.status = 'deleting';
    if (!this.isAsync(call)) {
      this.finishNow(op);
      return reply(200, {});
    }
    return reply(202, { operation: op.id });
  }

  private fetchBinding(call: OsbCall): Reply {
    const binding = this.liveBinding(call);
    if (binding === undefined || binding.status !== 'ready') {
      return fail(404, `service binding ${call.bindingId} does not exist or is not ready`);
    }
    return reply(200, { credentials: binding.credentials, parameters: binding.parameters });
  }

  private bindingLastOperation(call: OsbCall): Reply {
    const binding = this.state.bindings.get(call.bindingId);
    if (binding === undefined || binding.instanceId !== call.instanceId) {
      return fail(404, `service binding ${call.bindingId} does not exist`);
    }
    const mismatch = this.hintsMismatch(call.query, binding.serviceId, [binding.planId]);
    if (mismatch !== undefined) return mismatch;
    const op = this.operationOf(binding, call.query);
    if (isReply(op)) return op;
    if (op.kind === 'unbind' && op.state === 'succeeded') return reply(410, {});
    return reply(200, { state: op.state });
  }

  private finishNow(op: Operation): void {
    op.finishesAt = Date.now();
    this.state.settle(op.finishesAt);
  }

  /** Upstream-style credentials: camelCase keys and a number, as many real brokers send them. */
  private credentialsFor(instanceId: string): JsonObject {
    const username = `u_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('base64url');
    const databaseName = `db_${instanceId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}`;
    const hostName = 'db.upstream.test';
    return {
      uri: `postgresql://${username}:${password}@${hostName}:5432/${databaseName}`,
      username,
      password,
      hostName,
      port: 5432,
      databaseName,
      ...this.options.credentials,
    };
  }
}

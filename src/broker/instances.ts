import { errors, type JsonObject, type MaintenanceInfo } from '../plugin-api/index.ts';
import type { GuardedBackend } from '../registry/guarded-backend.ts';
import type { BrokerDeps, BrokerResult } from './broker-deps.ts';
import type { AnyOutput, Lifecycle, ResourceSpec } from './lifecycle.ts';
import { newOperation } from './lifecycle.ts';
import { bindingKey, type InstanceRecord } from './records.ts';
import { requestHash } from './request-hash.ts';
import {
  checkMaintenanceInfo,
  checkParameters,
  givenMaintenanceInfo,
  operationDeadlineMs,
  present,
  required,
  resolvePlan,
} from './request-checks.ts';
import type { RequestMeta, ResourceRequests } from './resource-requests.ts';
import { aad, instanceView, openOptional, sealOptional, splitSecret } from './sealing.ts';
import { tryLease } from './store-ops.ts';

export interface ProvisionInput {
  instanceId: string;
  serviceId?: string;
  planId?: string;
  parameters?: JsonObject;
  context?: JsonObject;
  organizationGuid?: string;
  spaceGuid?: string;
  maintenanceInfo?: JsonObject;
}

export interface UpdateInput {
  instanceId: string;
  serviceId?: string;
  planId?: string;
  parameters?: JsonObject;
  context?: JsonObject;
  maintenanceInfo?: JsonObject;
}

export interface DeleteInput {
  id: string;
  serviceId?: string;
  planId?: string;
}

const resourceName = (id: string) => `instance:${id}`;

/** Provision, update, deprovision, fetch and last_operation of service instances. */
export class Instances {
  readonly spec: ResourceSpec<InstanceRecord>;

  constructor(
    private readonly deps: BrokerDeps,
    private readonly lifecycle: Lifecycle,
    private readonly requests: ResourceRequests,
  ) {
    this.spec = this.buildSpec();
  }

  backendOf(record: { backend: string }): GuardedBackend {
    const backend = this.deps.backends.get(record.backend);
    if (backend === undefined) {
      throw errors.unavailable(
        `backend "${record.backend}" of this record is no longer configured; add it back to the config`,
      );
    }
    return backend;
  }

  private buildSpec(): ResourceSpec<InstanceRecord> {
    const { keyRing } = this.deps;
    return {
      target: 'instance',
      storeKind: 'instance',
      resourceName,
      backend: (record) => this.backendOf(record),
      invoke: (record, ctx) => {
        const backend = this.backendOf(record).backend;
        const acceptsIncomplete = record.op.acceptsIncomplete;
        if (record.op.kind === 'provision') {
          const view = instanceView(keyRing, record, true);
          return backend.provision(
            {
              instanceId: record.id,
              serviceId: record.upstreamServiceId,
              planId: record.upstreamPlanId,
              parameters: view.parameters,
              context: record.context,
              ...(record.organizationGuid === undefined ? {} : { organizationGuid: record.organizationGuid }),
              ...(record.spaceGuid === undefined ? {} : { spaceGuid: record.spaceGuid }),
              ...(record.maintenanceInfo === undefined ? {} : { maintenanceInfo: record.maintenanceInfo }),
              acceptsIncomplete,
            },
            ctx,
          );
        }
        if (record.op.kind === 'update') {
          const target = record.op.target;
          if (target === undefined) throw errors.internal('update operation without a target');
          const parameters = {
            ...target.parameters,
            ...openOptional(keyRing, target.sealedParameters, aad(resourceName(record.id), 'target')),
          };
          return backend.update(
            {
              instance: instanceView(keyRing, record, true),
              planId: target.upstreamPlanId,
              parameters,
              context: target.context ?? record.context,
              ...(target.maintenanceInfo === undefined ? {} : { maintenanceInfo: target.maintenanceInfo }),
              acceptsIncomplete,
            },
            ctx,
          );
        }
        return backend.deprovision({ instance: instanceView(keyRing, record, true), acceptsIncomplete }, ctx);
      },
      status: (record, ctx) => {
        const backend = this.backendOf(record).backend;
        if (backend.lastOperation === undefined || record.op.backendToken === undefined) {
          throw errors.internal(`backend "${record.backend}" started an operation but has no lastOperation`);
        }
        const view = instanceView(keyRing, record, false);
        const target = record.op.kind === 'update' ? record.op.target : undefined;
        return backend.lastOperation(
          {
            instance: target === undefined ? view : { ...view, planId: target.upstreamPlanId },
            kind: record.op.kind as 'provision' | 'update' | 'deprovision',
            operation: record.op.backendToken,
          },
          ctx,
        );
      },
      applySuccess: (record, output) => this.applySuccess(record, output),
      doneBody: (record) => (record.dashboardUrl === undefined ? {} : { dashboard_url: record.dashboardUrl }),
      afterDelete: async (record) => {
        // Binding ids are `<instance id>/<binding id>`: only this instance's are read, not every binding.
        const prefix = bindingKey(record.id, '');
        const bindings = await this.deps.store.list<{ instanceId: string }>('binding', { idPrefix: prefix });
        // Together: one store round trip for any number of bindings.
        const own = bindings.filter((b) => b.value.instanceId === record.id);
        await Promise.all(own.map((b) => this.deps.store.delete('binding', b.id)));
      },
    };
  }

  private applySuccess(record: InstanceRecord, output: AnyOutput): InstanceRecord {
    const { keyRing } = this.deps;
    const id = resourceName(record.id);
    let next: InstanceRecord = { ...record, data: { ...record.data, ...(output.data ?? {}) } };
    if (output.secrets !== undefined) {
      const secrets = { ...openOptional(keyRing, record.sealedSecrets, aad(id, 'secrets')), ...output.secrets };
      const sealed = sealOptional(keyRing, secrets, aad(id, 'secrets'));
      if (sealed !== undefined) next.sealedSecrets = sealed;
    }
    if (output.dashboardUrl !== undefined) next.dashboardUrl = output.dashboardUrl;
    const target = record.op.kind === 'update' ? record.op.target : undefined;
    if (target !== undefined) {
      const targetSecrets = openOptional(keyRing, target.sealedParameters, aad(id, 'target'));
      const secretParameters = {
        ...openOptional(keyRing, record.sealedParameters, aad(id, 'parameters')),
        ...targetSecrets,
      };
      const sealedParameters = sealOptional(keyRing, secretParameters, aad(id, 'parameters'));
      next = {
        ...next,
        planId: target.planId,
        upstreamPlanId: target.upstreamPlanId,
        parameters: { ...record.parameters, ...target.parameters },
        ...(sealedParameters === undefined ? {} : { sealedParameters }),
        ...(target.context === undefined ? {} : { context: target.context }),
        ...(target.maintenanceInfo === undefined ? {} : { maintenanceInfo: target.maintenanceInfo }),
      };
    }
    return next;
  }

  async provision(input: ProvisionInput, meta: RequestMeta): Promise<BrokerResult> {
    const { catalog, keyRing, tuning } = this.deps;
    const serviceId = required(input.serviceId, 'service_id');
    const planId = required(input.planId, 'plan_id');
    const plan = resolvePlan(catalog, serviceId, planId);
    const organizationGuid = required(input.organizationGuid, 'organization_guid');
    const spaceGuid = required(input.spaceGuid, 'space_guid');
    const parameters = input.parameters ?? {};
    checkParameters(plan, 'create', parameters);
    const maintenanceInfo = givenMaintenanceInfo(input.maintenanceInfo);
    checkMaintenanceInfo(plan, maintenanceInfo);
    const hashFor = (salt: string) => requestHash(salt, { serviceId, planId, parameters, organizationGuid, spaceGuid });
    const build = (salt: string): InstanceRecord => {
      const { plain, secret } = splitSecret(parameters, plan.secretParameters);
      const sealedParameters = sealOptional(keyRing, secret, aad(resourceName(input.instanceId), 'parameters'));
      const createHash = hashFor(salt);
      const now = Date.now();
      return {
        id: input.instanceId,
        backend: plan.backend.name,
        status: 'creating',
        serviceId,
        planId,
        upstreamServiceId: plan.service.id,
        upstreamPlanId: plan.plan.id,
        parameters: plain,
        ...(sealedParameters === undefined ? {} : { sealedParameters }),
        context: input.context ?? {},
        organizationGuid,
        spaceGuid,
        ...(maintenanceInfo === undefined ? {} : { maintenanceInfo }),
        salt,
        createHash,
        data: {},
        op: newOperation(
          'provision',
          createHash,
          operationDeadlineMs(plan, tuning.maxDurationMs),
          meta.acceptsIncomplete,
        ),
        createdAt: now,
        updatedAt: now,
      };
    };
    return this.requests.create(this.spec, input.instanceId, hashFor, build, meta);
  }

  async update(input: UpdateInput, meta: RequestMeta): Promise<BrokerResult> {
    const { store, catalog, keyRing, metrics, tuning } = this.deps;
    const serviceId = required(input.serviceId, 'service_id');
    const current = await store.get<InstanceRecord>('instance', input.instanceId);
    if (current === undefined || current.value.status === 'deleted') {
      throw errors.notFound(`service instance ${input.instanceId} does not exist`);
    }
    const record = current.value;
    if (serviceId !== record.serviceId) {
      throw errors.badRequest(
        `service_id "${serviceId}" is not the service of instance ${record.id} (${record.serviceId})`,
      );
    }
    const planId = present(input.planId) ?? record.planId;
    const plan = resolvePlan(catalog, serviceId, planId);
    if (planId !== record.planId) {
      const currentPlan = catalog.plan(record.planId);
      if (!(currentPlan?.planUpdateable ?? plan.planUpdateable)) {
        throw errors.badRequest(`service "${serviceId}" does not allow plan changes (plan_updateable is false)`);
      }
    }
    const parameters = input.parameters ?? {};
    checkParameters(plan, 'update', parameters);
    const maintenanceInfo = givenMaintenanceInfo(input.maintenanceInfo);
    checkMaintenanceInfo(plan, maintenanceInfo);
    const hash = requestHash(record.salt, {
      update: true,
      planId,
      parameters,
      maintenanceInfo,
      context: input.context,
    });
    if (record.op.state === 'in progress') {
      if (record.op.kind === 'update' && record.op.requestHash === hash)
        return { status: 202, body: { operation: record.op.id } };
      throw errors.concurrency(`instance ${record.id} has a ${record.op.kind} in progress; retry when it ends`);
    }
    if (record.status !== 'ready') {
      throw errors.concurrency(`instance ${record.id} is ${record.status}; it cannot be updated now`);
    }
    if (record.op.kind === 'update' && record.op.state === 'succeeded' && record.op.requestHash === hash) {
      return { status: 200, body: this.spec.doneBody(record) };
    }
    const lease = await tryLease(store, metrics, resourceName(record.id), tuning.leaseTtlMs);
    if (lease === undefined) throw errors.concurrency(`another request is changing instance ${record.id}; retry later`);
    try {
      const fresh = await store.get<InstanceRecord>('instance', record.id);
      if (fresh === undefined || fresh.version !== current.version) {
        throw errors.concurrency(`instance ${record.id} changed meanwhile; retry`);
      }
      const { plain, secret } = splitSecret(parameters, plan.secretParameters);
      const sealedParameters = sealOptional(keyRing, secret, aad(resourceName(record.id), 'target'));
      const target: NonNullable<InstanceRecord['op']['target']> = {
        planId,
        upstreamPlanId: plan.plan.id,
        parameters: plain,
        ...(sealedParameters === undefined ? {} : { sealedParameters }),
        ...(input.context === undefined ? {} : { context: input.context }),
        ...(maintenanceInfo === undefined ? {} : { maintenanceInfo: maintenanceInfo as MaintenanceInfo }),
      };
      const op = {
        ...newOperation('update', hash, operationDeadlineMs(plan, tuning.maxDurationMs), meta.acceptsIncomplete),
        target,
      };
      const intent: InstanceRecord = { ...record, status: 'updating', op, updatedAt: Date.now() };
      return await this.lifecycle.run(
        this.spec,
        record.id,
        intent,
        { ifVersion: current.version },
        meta.identity,
        lease,
      );
    } finally {
      await lease.release();
    }
  }

  async deprovision(input: DeleteInput, meta: RequestMeta): Promise<BrokerResult> {
    required(input.serviceId, 'service_id');
    required(input.planId, 'plan_id');
    return this.requests.remove(this.spec, input.id, meta);
  }

  lastOperation(instanceId: string, operation: string | undefined): Promise<BrokerResult> {
    return this.requests.lastOperation(this.spec, instanceId, operation);
  }

  async fetch(instanceId: string): Promise<BrokerResult> {
    const found = await this.deps.store.get<InstanceRecord>('instance', instanceId);
    const record = found?.value;
    const visible =
      record !== undefined &&
      !['creating', 'deleted'].includes(record.status) &&
      !(record.status === 'failed' && record.op.kind === 'provision');
    if (!visible || record === undefined) throw errors.notFound(`service instance ${instanceId} does not exist`);
    return {
      status: 200,
      body: {
        service_id: record.serviceId,
        plan_id: record.planId,
        parameters: record.parameters,
        ...(record.dashboardUrl === undefined ? {} : { dashboard_url: record.dashboardUrl }),
        ...(record.maintenanceInfo === undefined ? {} : { maintenance_info: record.maintenanceInfo }),
      },
    };
  }
}

import { errors, type JsonObject } from '../plugin-api/index.ts';
import type { BrokerDeps, BrokerResult } from './broker-deps.ts';
import type { Instances } from './instances.ts';
import type { AnyOutput, ResourceSpec } from './lifecycle.ts';
import { newOperation } from './lifecycle.ts';
import { type BindingRecord, bindingKey, type InstanceRecord } from './records.ts';
import { requestHash } from './request-hash.ts';
import { checkParameters, operationDeadlineMs, present, required } from './request-checks.ts';
import type { RequestMeta, ResourceRequests } from './resource-requests.ts';
import { aad, bindingView, instanceView, openOptional, sealOptional, splitSecret } from './sealing.ts';

export interface BindInput {
  instanceId: string;
  bindingId: string;
  serviceId?: string;
  planId?: string;
  parameters?: JsonObject;
  context?: JsonObject;
  appGuid?: string;
  bindResource?: JsonObject;
}

const resourceName = (key: string) => `binding:${key}`;

/** `bind_resource: {}` and empty-string fields (Korifi's `app_guid: ""`) count as not given (OSB-RULES 5, 18). */
function givenBindResource(bindResource: JsonObject | undefined): JsonObject | undefined {
  if (bindResource === undefined) return undefined;
  const kept = Object.fromEntries(Object.entries(bindResource).filter(([, v]) => v !== '' && v !== null));
  return Object.keys(kept).length === 0 ? undefined : kept;
}

/** Bind, unbind, fetch and last_operation of service bindings. */
export class Bindings {
  readonly spec: ResourceSpec<BindingRecord>;

  constructor(
    private readonly deps: BrokerDeps,
    private readonly instances: Instances,
    private readonly requests: ResourceRequests,
  ) {
    this.spec = this.buildSpec();
  }

  private async instanceOf(record: BindingRecord): Promise<InstanceRecord> {
    const found = await this.deps.store.get<InstanceRecord>('instance', record.instanceId);
    if (found === undefined) throw errors.gone(`service instance ${record.instanceId} no longer exists`);
    return found.value;
  }

  private buildSpec(): ResourceSpec<BindingRecord> {
    const { keyRing } = this.deps;
    return {
      target: 'binding',
      storeKind: 'binding',
      resourceName,
      backend: (record) => this.instances.backendOf(record),
      invoke: async (record, ctx) => {
        const backend = this.instances.backendOf(record).backend;
        const instance = instanceView(keyRing, await this.instanceOf(record), true);
        const binding = bindingView(keyRing, record, true);
        if (record.op.kind === 'bind') {
          return backend.bind(
            {
              instance,
              bindingId: record.bindingId,
              parameters: binding.parameters,
              context: record.context,
              ...(record.bindResource === undefined ? {} : { bindResource: record.bindResource }),
              acceptsIncomplete: record.op.acceptsIncomplete,
            },
            ctx,
          );
        }
        return backend.unbind({ instance, binding, acceptsIncomplete: record.op.acceptsIncomplete }, ctx);
      },
      status: async (record, ctx) => {
        const backend = this.instances.backendOf(record).backend;
        if (backend.lastBindingOperation === undefined || record.op.backendToken === undefined) {
          throw errors.internal(
            `backend "${record.backend}" started a binding operation but has no lastBindingOperation`,
          );
        }
        return backend.lastBindingOperation(
          {
            instance: instanceView(keyRing, await this.instanceOf(record), false),
            binding: bindingView(keyRing, record, false),
            kind: record.op.kind as 'bind' | 'unbind',
            operation: record.op.backendToken,
          },
          ctx,
        );
      },
      applySuccess: (record, output) => this.applySuccess(record, output),
      doneBody: (record) => this.credentialsBody(record),
    };
  }

  private applySuccess(record: BindingRecord, output: AnyOutput): BindingRecord {
    const { keyRing } = this.deps;
    const id = resourceName(record.id);
    const next: BindingRecord = { ...record, data: { ...record.data, ...(output.data ?? {}) } };
    if (output.secrets !== undefined) {
      const sealed = sealOptional(
        keyRing,
        { ...openOptional(keyRing, record.sealedSecrets, aad(id, 'secrets')), ...output.secrets },
        aad(id, 'secrets'),
      );
      if (sealed !== undefined) next.sealedSecrets = sealed;
    }
    if (output.credentials !== undefined) {
      next.sealedCredentials = keyRing.seal(output.credentials, aad(id, 'credentials'));
    }
    if (output.syslogDrainUrl !== undefined) next.syslogDrainUrl = output.syslogDrainUrl;
    if (output.routeServiceUrl !== undefined) next.routeServiceUrl = output.routeServiceUrl;
    if (output.volumeMounts !== undefined) next.volumeMounts = output.volumeMounts;
    return next;
  }

  /** The only read path that decrypts credentials. */
  private credentialsBody(record: BindingRecord): JsonObject {
    const credentials = openOptional(
      this.deps.keyRing,
      record.sealedCredentials,
      aad(resourceName(record.id), 'credentials'),
    );
    return {
      credentials,
      ...(record.syslogDrainUrl === undefined ? {} : { syslog_drain_url: record.syslogDrainUrl }),
      ...(record.routeServiceUrl === undefined ? {} : { route_service_url: record.routeServiceUrl }),
      ...(record.volumeMounts === undefined ? {} : { volume_mounts: record.volumeMounts }),
    };
  }

  async bind(input: BindInput, meta: RequestMeta): Promise<BrokerResult> {
    const { store, catalog, keyRing, tuning } = this.deps;
    const serviceId = required(input.serviceId, 'service_id');
    const planId = required(input.planId, 'plan_id');
    const found = await store.get<InstanceRecord>('instance', input.instanceId);
    const instance = found?.value;
    if (
      instance === undefined ||
      instance.status === 'deleted' ||
      (instance.status === 'failed' && instance.op.kind === 'provision')
    ) {
      throw errors.notFound(`service instance ${input.instanceId} does not exist`);
    }
    if (instance.status === 'creating')
      throw errors.concurrency(`service instance ${instance.id} is still being created`);
    if (serviceId !== instance.serviceId || planId !== instance.planId) {
      throw errors.badRequest(
        `service_id/plan_id do not match instance ${instance.id} (${instance.serviceId}, ${instance.planId})`,
      );
    }
    const plan = catalog.plan(planId);
    if (plan !== undefined && !plan.bindable)
      throw errors.badRequest(`service "${serviceId}" plan "${planId}" is not bindable`);
    const parameters = input.parameters ?? {};
    if (plan !== undefined) checkParameters(plan, 'bind', parameters);
    const bindResource = givenBindResource(input.bindResource);
    const appGuid = present(input.appGuid) ?? present(bindResource?.app_guid as string | undefined);
    const key = bindingKey(input.instanceId, input.bindingId);
    const hashFor = (salt: string) => requestHash(salt, { serviceId, planId, parameters, appGuid });
    const build = (salt: string): BindingRecord => {
      const { plain, secret } = splitSecret(parameters, plan?.secretParameters ?? new Set());
      const sealedParameters = sealOptional(keyRing, secret, aad(resourceName(key), 'parameters'));
      const createHash = hashFor(salt);
      const now = Date.now();
      return {
        id: key,
        instanceId: input.instanceId,
        bindingId: input.bindingId,
        backend: instance.backend,
        status: 'creating',
        parameters: plain,
        ...(sealedParameters === undefined ? {} : { sealedParameters }),
        context: input.context ?? {},
        ...(appGuid === undefined ? {} : { appGuid }),
        ...(bindResource === undefined ? {} : { bindResource }),
        salt,
        createHash,
        data: {},
        op: newOperation('bind', createHash, operationDeadlineMs(plan, tuning.maxDurationMs), meta.acceptsIncomplete),
        createdAt: now,
        updatedAt: now,
      };
    };
    return this.requests.create(this.spec, key, hashFor, build, meta);
  }

  async unbind(
    input: { instanceId: string; bindingId: string; serviceId?: string; planId?: string },
    meta: RequestMeta,
  ): Promise<BrokerResult> {
    required(input.serviceId, 'service_id');
    required(input.planId, 'plan_id');
    return this.requests.remove(this.spec, bindingKey(input.instanceId, input.bindingId), meta);
  }

  lastOperation(instanceId: string, bindingId: string, operation: string | undefined): Promise<BrokerResult> {
    return this.requests.lastOperation(this.spec, bindingKey(instanceId, bindingId), operation);
  }

  async fetch(instanceId: string, bindingId: string): Promise<BrokerResult> {
    const found = await this.deps.store.get<BindingRecord>('binding', bindingKey(instanceId, bindingId));
    const record = found?.value;
    if (record === undefined || !['ready', 'deleting'].includes(record.status)) {
      throw errors.notFound(`service binding ${bindingId} of instance ${instanceId} does not exist`);
    }
    return { status: 200, body: { ...this.credentialsBody(record), parameters: record.parameters } };
  }
}

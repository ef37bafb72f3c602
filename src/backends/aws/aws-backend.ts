import type { Parameter, Stack } from '@aws-sdk/client-cloudformation';
import {
  type Backend,
  type BindOutput,
  type BindRequest,
  type CallContext,
  type Catalog,
  type DeprovisionOutput,
  type DeprovisionRequest,
  derivedName,
  type HealthStatus,
  done,
  errors,
  type InstanceView,
  type JsonObject,
  type LastOperationRequest,
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
import { type AwsClients, destroyAwsClients } from './aws-clients.ts';
import type { RetryPolicy } from './aws-retry.ts';
import { invokeBindHook } from './bind-hook.ts';
import { bindingCredentials } from './binding-credentials.ts';
import { decodeOperation, encodeOperation } from './operation-token.ts';
import { OutputResolver } from './output-resolver.ts';
import { toCfnValue, userParameterNames } from './parameter-schema.ts';
import { requestToken, stackName, stackTags } from './stack-naming.ts';
import { failureDescription, operationState, type StackOperationKind } from './stack-status.ts';
import { Stacks } from './stacks.ts';
import type { ResolvedPlan, TemplateCatalog } from './template-catalog.ts';

export interface AwsBackendConfig {
  region: string;
  stackPrefix: string;
  retry: RetryPolicy;
  clients: AwsClients;
  /** Loads (once, and again after a failure) the catalog from the templates. */
  loadCatalog: (signal: AbortSignal) => Promise<TemplateCatalog>;
}

// Stack states in which outputs are usable for a binding.
const BINDABLE_STATUSES = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

function rejectUnknown(parameters: JsonObject, allowed: Iterable<string>, what: string): void {
  const allowedSet = new Set(allowed);
  const unknown = Object.keys(parameters).filter((name) => !allowedSet.has(name));
  if (unknown.length > 0) throw errors.invalidParameters(`${what}: ${unknown.join(', ')}`);
}

function outputsOf(stack: Stack): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  return outputs;
}

/** Services as CloudFormation stacks, one stack per instance. */
export class AwsBackend implements Backend {
  private readonly stacks: Stacks;

  constructor(private readonly config: AwsBackendConfig) {
    this.stacks = new Stacks(config.clients.cloudFormation, config.retry);
  }

  async catalog(ctx: CallContext): Promise<Catalog> {
    return (await this.config.loadCatalog(ctx.signal)).catalog;
  }

  private async resolvePlan(serviceId: string, planId: string, signal: AbortSignal): Promise<ResolvedPlan> {
    const resolved = (await this.config.loadCatalog(signal)).plan(serviceId, planId);
    if (resolved === undefined) throw errors.badRequest(`no plan ${planId} in service ${serviceId}`);
    return resolved;
  }

  private stackNameOf(instance: { id: string; data?: JsonObject }): string {
    const stored = instance.data?.stackName;
    return typeof stored === 'string' ? stored : stackName(this.config.stackPrefix, instance.id);
  }

  async provision(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>> {
    if (!request.acceptsIncomplete) throw errors.asyncRequired('a CloudFormation stack is created asynchronously');
    const { spec, plan } = await this.resolvePlan(request.serviceId, request.planId, ctx.signal);
    rejectUnknown(request.parameters, userParameterNames(spec, plan), `unknown parameters for plan ${plan.Name}`);
    const parameters: Parameter[] = [];
    for (const name of Object.keys(spec.parameters)) {
      const value = plan.Parameters?.[name] ?? request.parameters[name] ?? plan.Defaults?.[name];
      if (value !== undefined && value !== null)
        parameters.push({ ParameterKey: name, ParameterValue: toCfnValue(value) });
    }
    const name = stackName(this.config.stackPrefix, request.instanceId);
    const token = requestToken('create', request.instanceId);
    const stackId = await this.stacks.create(
      {
        stackName: name,
        templateBody: spec.body,
        parameters,
        requestToken: token,
        tags: stackTags({
          instanceId: request.instanceId,
          serviceId: request.serviceId,
          planId: request.planId,
          context: request.context,
          organizationGuid: request.organizationGuid,
          spaceGuid: request.spaceGuid,
          identity: ctx.originatingIdentity,
        }),
      },
      ctx.signal,
    );
    ctx.log.info({ stackName: name, stackId }, 'CloudFormation stack create started');
    return started(encodeOperation({ kind: 'create', stackId, requestToken: token }), {
      data: { stackName: name, stackId },
    });
  }

  async update(request: UpdateRequest, ctx: CallContext): Promise<Outcome<UpdateOutput>> {
    if (!request.acceptsIncomplete) throw errors.asyncRequired('a CloudFormation stack is updated asynchronously');
    const { instance } = request;
    const next = await this.resolvePlan(instance.serviceId, request.planId, ctx.signal);
    const { spec, plan } = next;
    if (request.planId !== instance.planId && spec.metadata.Service.PlanUpdateable !== true) {
      throw errors.badRequest(`service ${spec.metadata.Service.Name} does not allow plan changes`);
    }
    const updatable = (spec.metadata.UpdatableParameters ?? []).filter((n) => !(n in (plan.Parameters ?? {})));
    rejectUnknown(request.parameters, updatable, 'these parameters cannot be updated');
    const parameters: Parameter[] = Object.keys(spec.parameters).map((name) => {
      const value = plan.Parameters?.[name] ?? request.parameters[name];
      return value === undefined || value === null
        ? { ParameterKey: name, UsePreviousValue: true }
        : { ParameterKey: name, ParameterValue: toCfnValue(value) };
    });
    const name = this.stackNameOf(instance);
    const token = requestToken('update', instance.id, Date.now().toString(36));
    const result = await this.stacks.update(
      {
        stackName: name,
        templateBody: spec.body,
        parameters,
        requestToken: token,
        tags: stackTags({
          instanceId: instance.id,
          serviceId: instance.serviceId,
          planId: request.planId,
          context: { ...instance.context, ...request.context },
          identity: ctx.originatingIdentity,
        }),
      },
      ctx.signal,
    );
    if (result === 'no-updates') {
      ctx.log.info({ stackName: name }, 'CloudFormation: no updates are to be performed');
      return done({});
    }
    const stackId = typeof instance.data.stackId === 'string' ? instance.data.stackId : name;
    return started(encodeOperation({ kind: 'update', stackId, requestToken: token }));
  }

  async deprovision(request: DeprovisionRequest, ctx: CallContext): Promise<Outcome<DeprovisionOutput>> {
    if (!request.acceptsIncomplete) throw errors.asyncRequired('a CloudFormation stack is deleted asynchronously');
    const name = this.stackNameOf(request.instance);
    const stack = await this.stacks.describe(name, ctx.signal);
    if (stack?.StackId === undefined) return done({});
    const token = requestToken('delete', request.instance.id, Date.now().toString(36));
    await this.stacks.delete(stack.StackId, token, ctx.signal);
    ctx.log.info({ stackName: name }, 'CloudFormation stack delete started');
    return started(encodeOperation({ kind: 'delete', stackId: stack.StackId, requestToken: token }));
  }

  async lastOperation(request: LastOperationRequest, ctx: CallContext): Promise<OperationStatus<ProvisionOutput>> {
    const operation = decodeOperation(request.operation);
    const stack = await this.stacks.describe(operation.stackId, ctx.signal);
    const state = operationState(operation.kind, stack);
    if (state === 'failed') {
      const events =
        stack?.StackId === undefined
          ? []
          : await this.stacks.eventsOf(stack.StackId, operation.requestToken, ctx.signal);
      return { state, description: failureDescription(stack, events) };
    }
    return { state, description: this.progressText(operation.kind, stack) };
  }

  private progressText(kind: StackOperationKind, stack: Stack | undefined): string {
    if (stack === undefined) return 'CloudFormation stack deleted';
    return `CloudFormation stack ${stack.StackName} is ${stack.StackStatus} (${kind})`;
  }

  private async bindableStack(instance: InstanceView, signal: AbortSignal): Promise<Stack> {
    const stack = await this.stacks.describe(this.stackNameOf(instance), signal);
    if (stack === undefined) throw errors.notFound(`the stack of instance ${instance.id} does not exist`);
    if (!BINDABLE_STATUSES.has(stack.StackStatus ?? '')) {
      throw errors.concurrency(`CloudFormation stack ${stack.StackName} is ${stack.StackStatus}; bind once it is done`);
    }
    return stack;
  }

  async bind(request: BindRequest, ctx: CallContext): Promise<Outcome<BindOutput>> {
    const { instance } = request;
    const { spec } = await this.resolvePlan(instance.serviceId, instance.planId, ctx.signal);
    const credentialSpec = spec.metadata.Credentials;
    if (!spec.metadata.Service.Bindable || credentialSpec === undefined) {
      throw errors.badRequest(`service ${spec.metadata.Service.Name} is not bindable`);
    }
    const stack = await this.bindableStack(instance, ctx.signal);
    const outputs = outputsOf(stack);
    const hook = credentialSpec.BindHookOutput === undefined ? undefined : outputs[credentialSpec.BindHookOutput];
    const username = derivedName('b', request.bindingId, 15);
    const user =
      hook === undefined || hook === ''
        ? undefined
        : await invokeBindHook(
            this.config.clients.lambda,
            hook,
            {
              action: 'bind',
              instanceId: instance.id,
              bindingId: request.bindingId,
              stackName: stack.StackName ?? '',
              username,
              outputs,
            },
            this.config.retry,
            ctx.signal,
          );
    const resolver = new OutputResolver(outputs, this.config.clients, this.config.retry, ctx.signal);
    const credentials = await bindingCredentials(credentialSpec, resolver, this.config.region, user);
    return done({
      credentials,
      ...(user === undefined || hook === undefined ? {} : { data: { bindHook: hook, username: user.username } }),
    });
  }

  async unbind(request: UnbindRequest, ctx: CallContext): Promise<Outcome<UnbindOutput>> {
    const { bindHook, username } = request.binding.data;
    if (typeof bindHook !== 'string' || typeof username !== 'string') return done({});
    const stack = await this.stacks.describe(this.stackNameOf(request.instance), ctx.signal);
    if (stack === undefined) return done({});
    await invokeBindHook(
      this.config.clients.lambda,
      bindHook,
      {
        action: 'unbind',
        instanceId: request.instance.id,
        bindingId: request.binding.id,
        stackName: stack.StackName ?? '',
        username,
        outputs: outputsOf(stack),
      },
      this.config.retry,
      ctx.signal,
    );
    return done({});
  }

  /**
   * The templates load, and CloudFormation answers a signed read of one stack name. Whether that stack exists does
   * not matter; an error (bad credentials, a denied action, no network) is what an operator must fix.
   */
  async health(ctx: CallContext): Promise<HealthStatus> {
    try {
      const { catalog } = await this.config.loadCatalog(ctx.signal);
      await this.stacks.describe(`${this.config.stackPrefix}health-check`, ctx.signal);
      return {
        ok: true,
        detail: `CloudFormation in ${this.config.region} answers; ${catalog.services.length} service(s) from the templates`,
      };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    destroyAwsClients(this.config.clients);
  }
}

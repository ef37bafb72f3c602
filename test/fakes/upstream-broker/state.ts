/** What the upstream broker remembers. Async operations finish lazily: every read settles the clock first. */
export type JsonObject = Record<string, unknown>;

export type OperationKind = 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind';

export interface Operation {
  id: string;
  kind: OperationKind;
  state: 'in progress' | 'succeeded' | 'failed';
  finishesAt: number;
  /** Set when the operation is to fail; becomes its description. */
  failure?: string;
  description?: string;
}

export interface InstanceRecord {
  id: string;
  serviceId: string;
  planId: string;
  parameters: JsonObject;
  context: JsonObject;
  organizationGuid: string;
  spaceGuid: string;
  dashboardUrl: string;
  /** `deleted` records are tombstones kept so last_operation can answer 410. */
  status: 'creating' | 'ready' | 'updating' | 'failed' | 'deleting' | 'deleted';
  pendingUpdate?: { planId: string; parameters: JsonObject };
  operations: Operation[];
}

export interface BindingRecord {
  id: string;
  instanceId: string;
  serviceId: string;
  planId: string;
  parameters: JsonObject;
  bindResource: JsonObject;
  credentials: JsonObject;
  status: 'creating' | 'ready' | 'deleting' | 'deleted';
  operations: Operation[];
}

let operationCounter = 0;

export function newOperation(kind: OperationKind, finishesAt: number, failure?: string): Operation {
  operationCounter += 1;
  return {
    id: `${kind}-${operationCounter}-${Date.now().toString(36)}`,
    kind,
    state: 'in progress',
    finishesAt,
    ...(failure === undefined ? {} : { failure }),
  };
}

export class UpstreamState {
  readonly instances = new Map<string, InstanceRecord>();
  readonly bindings = new Map<string, BindingRecord>();
  // Only records with an operation running are looked at by settle(), which runs on every request.
  private readonly runningInstances = new Set<InstanceRecord>();
  private readonly runningBindings = new Set<BindingRecord>();
  private readonly bindingsByInstance = new Map<string, Set<BindingRecord>>();

  /** A new binding, with its first operation running. */
  addBinding(bindingId: string, binding: BindingRecord): void {
    const replaced = this.bindings.get(bindingId);
    if (replaced !== undefined) this.bindingsByInstance.get(replaced.instanceId)?.delete(replaced);
    this.bindings.set(bindingId, binding);
    const ofInstance = this.bindingsByInstance.get(binding.instanceId) ?? new Set<BindingRecord>();
    this.bindingsByInstance.set(binding.instanceId, ofInstance.add(binding));
    this.watchBinding(binding);
  }

  /** Starts tracking the operation just added to `instance`. */
  watchInstance(instance: InstanceRecord): void {
    this.runningInstances.add(instance);
  }

  watchBinding(binding: BindingRecord): void {
    this.runningBindings.add(binding);
  }

  /** Finishes every operation whose time has come. */
  settle(now = Date.now()): void {
    for (const instance of this.runningInstances) {
      this.settleInstance(instance, now);
      if (this.inProgress(instance) === undefined) this.runningInstances.delete(instance);
    }
    for (const binding of this.runningBindings) {
      this.settleBinding(binding, now);
      if (this.inProgress(binding) === undefined) this.runningBindings.delete(binding);
    }
  }

  latest(record: { operations: Operation[] }): Operation | undefined {
    return record.operations[record.operations.length - 1];
  }

  inProgress(record: { operations: Operation[] }): Operation | undefined {
    const op = this.latest(record);
    return op?.state === 'in progress' ? op : undefined;
  }

  bindingsOf(instanceId: string): BindingRecord[] {
    return [...(this.bindingsByInstance.get(instanceId) ?? [])].filter((b) => b.status !== 'deleted');
  }

  private settleInstance(instance: InstanceRecord, now: number): void {
    const op = this.inProgress(instance);
    if (op === undefined || op.finishesAt > now) return;
    if (op.failure !== undefined) {
      op.state = 'failed';
      op.description = op.failure;
      instance.status = op.kind === 'provision' ? 'failed' : 'ready';
      delete instance.pendingUpdate;
      return;
    }
    op.state = 'succeeded';
    if (op.kind === 'provision') instance.status = 'ready';
    if (op.kind === 'update') {
      if (instance.pendingUpdate !== undefined) {
        instance.planId = instance.pendingUpdate.planId;
        instance.parameters = { ...instance.parameters, ...instance.pendingUpdate.parameters };
      }
      delete instance.pendingUpdate;
      instance.status = 'ready';
    }
    if (op.kind === 'deprovision') {
      instance.status = 'deleted';
      for (const binding of this.bindingsOf(instance.id)) binding.status = 'deleted';
    }
  }

  private settleBinding(binding: BindingRecord, now: number): void {
    const op = this.inProgress(binding);
    if (op === undefined || op.finishesAt > now) return;
    op.state = 'succeeded';
    binding.status = op.kind === 'bind' ? 'ready' : 'deleted';
  }
}

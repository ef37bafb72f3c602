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

  /** Finishes every operation whose time has come. */
  settle(now = Date.now()): void {
    for (const instance of this.instances.values()) this.settleInstance(instance, now);
    for (const binding of this.bindings.values()) this.settleBinding(binding, now);
  }

  latest(record: { operations: Operation[] }): Operation | undefined {
    return record.operations[record.operations.length - 1];
  }

  inProgress(record: { operations: Operation[] }): Operation | undefined {
    const op = this.latest(record);
    return op?.state === 'in progress' ? op : undefined;
  }

  bindingsOf(instanceId: string): BindingRecord[] {
    return [...this.bindings.values()].filter((b) => b.instanceId === instanceId && b.status !== 'deleted');
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

import { randomUUID } from 'node:crypto';
import {
  type BindOutput,
  type CallContext,
  isBackendError,
  type JsonObject,
  type OperationKind,
  type OperationStatus,
  type Outcome,
  type ProvisionOutput,
} from '../plugin-api/index.ts';
import type { CallIdentity, GuardedBackend } from '../registry/guarded-backend.ts';
import { RejectedCallError } from '../registry/guarded-backend.ts';
import { type RecordKind, StoreConflictError, type StoredRecord } from '../state/store.ts';
import type { BrokerDeps, BrokerResult } from './broker-deps.ts';
import type { BindingRecord, InstanceRecord, OpenOperation, OperationRecord } from './records.ts';
import { openOperationKey } from './records.ts';
import { crashPoint } from './crash-points.ts';
import { type Lease, mutate, tryLease } from './store-ops.ts';

export type AnyOutput = Partial<ProvisionOutput> & Partial<BindOutput>;
export type LifecycleRecord = InstanceRecord | BindingRecord;

const CREATE_KINDS: ReadonlySet<OperationKind> = new Set(['provision', 'bind']);
const DELETE_KINDS: ReadonlySet<OperationKind> = new Set(['deprovision', 'unbind']);

/** How the shared lifecycle engine treats one kind of resource (instances or bindings). */
export interface ResourceSpec<R extends LifecycleRecord> {
  target: OpenOperation['target'];
  storeKind: RecordKind;
  /** Lease name and associated-data prefix, e.g. `instance:<id>`. */
  resourceName(key: string): string;
  backend(record: R): GuardedBackend;
  /** Calls the backend for the record's current operation (first try, or a repeat after a crash). */
  invoke(record: R, ctx: CallContext): Promise<Outcome<AnyOutput>>;
  status(record: R, ctx: CallContext): Promise<OperationStatus<AnyOutput>>;
  /** A create or update succeeded: fold the backend's output into the record. */
  applySuccess(record: R, output: AnyOutput): R;
  /** Body of a finished create (201/200): dashboard_url or credentials. */
  doneBody(record: R): JsonObject;
  /** Run after a delete finished (e.g. forget an instance's bindings). */
  afterDelete?(record: R): Promise<void>;
}

export function newOperation(
  kind: OperationKind,
  requestHash: string,
  deadlineMs: number,
  acceptsIncomplete: boolean,
): OperationRecord {
  const now = Date.now();
  return {
    id: `${kind}-${randomUUID()}`,
    kind,
    state: 'in progress',
    requestHash,
    startedAt: now,
    deadline: now + deadlineMs,
    attempts: 0,
    acceptsIncomplete,
  };
}

export const accepted = (operation: string, extra: JsonObject = {}): BrokerResult => ({
  status: 202,
  body: { ...extra, operation },
});

/**
 * The intent's version condition failed: the record changed after the read the decision was made on. Still a
 * StoreConflictError, so a caller that does not read again answers as for any conflicting write (422).
 */
export class StaleIntentError extends StoreConflictError {}

/** The engine every instance and binding operation goes through: intent first, then the backend, then state. */
export class Lifecycle {
  constructor(private readonly deps: BrokerDeps) {}

  private async openIndex(target: OpenOperation['target'], key: string): Promise<void> {
    const entry: OpenOperation = { target, id: key };
    await this.deps.store.put('operation', openOperationKey(target, key), entry);
  }

  /** An operation's last write. The lease, when given, is released with it: one store round trip, not two. */
  private async closeIndex(target: OpenOperation['target'], key: string, lease?: Lease): Promise<void> {
    await Promise.all([this.deps.store.delete('operation', openOperationKey(target, key)), lease?.release()]);
  }

  /**
   * Writes the intent (record with its new in-progress operation), calls the backend, stores what happened.
   * The caller holds the lease. `write` is the version condition for the intent.
   */
  async run<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    intent: R,
    write: { ifAbsent: true } | { ifVersion: number },
    identity: CallIdentity,
    lease?: Lease,
  ): Promise<BrokerResult> {
    const { store } = this.deps;
    // Both leave together, the index entry first: Redis runs one connection's commands in order, so an intent
    // never exists without its entry. Should the entry's write alone fail, the request fails and the platform's
    // retry or poll finds the intent and resumes it.
    const [, version] = await Promise.all([
      this.openIndex(spec.target, key),
      store.put(spec.storeKind, key, intent, write).catch((error: unknown) => {
        throw error instanceof StoreConflictError ? new StaleIntentError(spec.storeKind, key) : error;
      }),
    ]);
    crashPoint('after-intent', intent.op.kind);
    return this.callAndRecord(spec, key, { value: intent, version }, identity, lease);
  }

  private async callAndRecord<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    current: { value: R; version: number },
    identity: CallIdentity,
    lease?: Lease,
  ): Promise<BrokerResult> {
    const record = current.value;
    const kind = record.op.kind;
    const backend = spec.backend(record);
    const counted = { ...record, op: { ...record.op, attempts: record.op.attempts + 1 } } as R;
    let outcome: Outcome<AnyOutput>;
    try {
      outcome = await backend.call(kind, identity, (ctx) => spec.invoke(counted, ctx));
      crashPoint('after-backend-call', kind);
    } catch (error) {
      if (DELETE_KINDS.has(kind) && isBackendError(error) && (error.code === 'Gone' || error.code === 'NotFound')) {
        return this.finishDelete(spec, key, current, lease);
      }
      await this.recordCallFailure(spec, key, error, current, lease);
      throw error;
    }
    if (outcome.state === 'started') {
      const op = record.op;
      await mutate<R>(
        this.deps.store,
        spec.storeKind,
        key,
        (r) =>
          r.op.id !== op.id
            ? undefined
            : ({
                ...r,
                ...(outcome.output === undefined ? {} : spec.applySuccess(r, outcome.output as AnyOutput)),
                status: r.status,
                op: {
                  ...r.op,
                  attempts: counted.op.attempts,
                  backendToken: outcome.operation,
                  nextPollAt: Date.now() + this.deps.tuning.minPollIntervalMs,
                },
                updatedAt: Date.now(),
              } as R),
        current,
      );
      const extra: JsonObject =
        kind === 'provision' && outcome.output?.dashboardUrl !== undefined
          ? { dashboard_url: outcome.output.dashboardUrl }
          : {};
      return accepted(op.id, extra);
    }
    if (DELETE_KINDS.has(kind)) return this.finishDelete(spec, key, current, lease);
    const stored = await this.finishSuccess(spec, key, record.op.id, outcome.output, current, lease);
    const status = kind === 'update' ? 200 : 201;
    return { status, body: stored === undefined ? {} : spec.doneBody(stored) };
  }

  /** User-side errors mean nothing was created: forget the intent. Other errors leave a deletable failure. */
  private async recordCallFailure<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    error: unknown,
    known?: StoredRecord<R>,
    lease?: Lease,
  ): Promise<void> {
    const { store } = this.deps;
    const userSide = isBackendError(error) && error.userSide;
    const notAttempted = error instanceof RejectedCallError;
    const description = (error as Error).message;
    let forget = false;
    await mutate<R>(
      store,
      spec.storeKind,
      key,
      (r) => {
        if (CREATE_KINDS.has(r.op.kind) && (userSide || notAttempted) && r.op.attempts === 0) {
          forget = true;
          return undefined;
        }
        const failed = {
          ...r.op,
          attempts: r.op.attempts + 1,
          state: 'failed' as const,
          description,
          retryable: !userSide,
        };
        if (r.op.kind === 'update') return { ...r, status: 'ready', op: failed, updatedAt: Date.now() } as R;
        if (DELETE_KINDS.has(r.op.kind))
          return {
            ...r,
            status: r.op.attempts === 0 && userSide ? 'ready' : 'failed',
            op: failed,
            updatedAt: Date.now(),
          } as R;
        return { ...r, status: 'failed', op: failed, updatedAt: Date.now() } as R;
      },
      known,
    );
    if (forget) await store.delete(spec.storeKind, key);
    await this.closeIndex(spec.target, key, lease);
  }

  private async finishSuccess<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    opId: string,
    output: AnyOutput | undefined,
    known?: StoredRecord<R>,
    lease?: Lease,
  ): Promise<R | undefined> {
    const stored = await mutate<R>(
      this.deps.store,
      spec.storeKind,
      key,
      (r) => {
        if (r.op.id !== opId) return undefined;
        const applied = spec.applySuccess(r, output ?? {});
        return {
          ...applied,
          status: 'ready',
          op: { ...r.op, state: 'succeeded', description: undefined },
          updatedAt: Date.now(),
        } as R;
      },
      known,
    );
    await this.afterOperation(spec, key, stored?.value, lease);
    return stored?.value;
  }

  private async finishDelete<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    known?: StoredRecord<R>,
    lease?: Lease,
  ): Promise<BrokerResult> {
    const { store, tuning } = this.deps;
    const tombstoned = await mutate<R>(
      store,
      spec.storeKind,
      key,
      (r) =>
        ({
          ...r,
          status: 'deleted',
          op: { ...r.op, state: 'succeeded' },
          pendingDelete: undefined,
          updatedAt: Date.now(),
        }) as R,
      known,
      { ttlMs: tuning.tombstoneTtlMs },
    );
    if (tombstoned !== undefined) await spec.afterDelete?.(tombstoned.value);
    await this.closeIndex(spec.target, key, lease);
    return { status: 200, body: {} };
  }

  private async finishFailure<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    opId: string,
    description: string,
  ): Promise<R | undefined> {
    const stored = await mutate<R>(this.deps.store, spec.storeKind, key, (r) => {
      if (r.op.id !== opId) return undefined;
      const op = { ...r.op, state: 'failed' as const, description };
      const status = r.op.kind === 'update' ? 'ready' : 'failed';
      return { ...r, status, op, updatedAt: Date.now() } as R;
    });
    await this.afterOperation(spec, key, stored?.value);
    return stored?.value;
  }

  /** After an operation ends: close its index entry, or start the DELETE that waited for it. */
  private async afterOperation<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    record: R | undefined,
    lease?: Lease,
  ): Promise<void> {
    if (record?.pendingDelete === undefined) {
      await this.closeIndex(spec.target, key, lease);
      return;
    }
    this.startPendingDelete(spec, key).catch((error: Error) =>
      this.deps.log.warn({ key, err: error.message }, 'queued delete could not start yet; the sweeper retries'),
    );
  }

  /** Starts a DELETE accepted while another operation was running, under the resource's lease. */
  async startPendingDelete<R extends LifecycleRecord>(spec: ResourceSpec<R>, key: string): Promise<void> {
    const { store, metrics, tuning } = this.deps;
    const lease = await tryLease(store, metrics, spec.resourceName(key), tuning.leaseTtlMs);
    if (lease === undefined) return;
    try {
      const current = await store.get<R>(spec.storeKind, key);
      const pending = current?.value.pendingDelete;
      if (current === undefined || pending === undefined || current.value.op.state === 'in progress') return;
      const kind: OperationKind = spec.target === 'instance' ? 'deprovision' : 'unbind';
      const op: OperationRecord = { ...newOperation(kind, '', tuning.maxDurationMs, true), id: pending.operationId };
      const intent = { ...current.value, status: 'deleting', op, pendingDelete: undefined, updatedAt: Date.now() } as R;
      await this.run(spec, key, intent, { ifVersion: current.version }, {}, lease).catch((error: Error) => {
        this.deps.log.warn({ key, err: error.message }, 'queued delete failed; a new DELETE retries it');
      });
    } finally {
      await lease.release();
    }
  }

  /**
   * last_operation: answers from state, asking the backend at most once per `minPollIntervalMs` per operation
   * (whichever replica claims the poll), and repeats a call whose broker crashed before recording its result.
   */
  async refresh<R extends LifecycleRecord>(spec: ResourceSpec<R>, key: string): Promise<R | undefined> {
    const { store, tuning } = this.deps;
    const current = await store.get<R>(spec.storeKind, key);
    if (current === undefined) return undefined;
    const record = current.value;
    const now = Date.now();
    if (record.op.state !== 'in progress') {
      if (record.pendingDelete !== undefined) await this.startPendingDelete(spec, key);
      return record.pendingDelete === undefined ? record : ((await store.get<R>(spec.storeKind, key))?.value ?? record);
    }
    if (record.op.backendToken === undefined) {
      await this.resumeInterrupted(spec, key, current);
      return (await store.get<R>(spec.storeKind, key))?.value;
    }
    if ((record.op.nextPollAt ?? 0) > now) return record;
    const claimed = { ...record, op: { ...record.op, nextPollAt: now + tuning.minPollIntervalMs } } as R;
    try {
      await store.put(spec.storeKind, key, claimed, { ifVersion: current.version });
    } catch {
      return (await store.get<R>(spec.storeKind, key))?.value;
    }
    if (now > record.op.deadline) {
      return this.finishFailure(spec, key, record.op.id, `${record.op.kind} did not finish within its deadline`);
    }
    let status: OperationStatus<AnyOutput>;
    try {
      status = await spec.backend(record).call(`${record.op.kind}.status`, {}, (ctx) => spec.status(claimed, ctx));
      crashPoint('after-status-call', record.op.kind);
    } catch (error) {
      if (
        DELETE_KINDS.has(record.op.kind) &&
        isBackendError(error) &&
        (error.code === 'Gone' || error.code === 'NotFound')
      ) {
        await this.finishDelete(spec, key);
        return (await store.get<R>(spec.storeKind, key))?.value;
      }
      if (isBackendError(error) && error.userSide) {
        // The backend refuses to report on this operation: it will not change its mind on the next poll.
        return this.finishFailure(spec, key, record.op.id, error.message);
      }
      // The operation goes on; the next poll asks again.
      this.deps.log.warn({ key, err: (error as Error).message }, 'backend status call failed');
      return claimed;
    }
    return this.applyStatus(spec, key, record.op.id, status);
  }

  private async applyStatus<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    opId: string,
    status: OperationStatus<AnyOutput>,
  ): Promise<R | undefined> {
    const { store } = this.deps;
    if (status.state === 'in progress') {
      const stored = await mutate<R>(store, spec.storeKind, key, (r) =>
        r.op.id !== opId
          ? undefined
          : ({
              ...r,
              op: {
                ...r.op,
                ...(status.description === undefined ? {} : { description: status.description }),
                ...(status.operation === undefined ? {} : { backendToken: status.operation }),
              },
            } as R),
      );
      return stored?.value;
    }
    const record = (await store.get<R>(spec.storeKind, key))?.value;
    if (record === undefined || record.op.id !== opId) return record;
    if (status.state === 'failed') {
      return this.finishFailure(
        spec,
        key,
        opId,
        status.description ?? `${record.op.kind} failed in backend "${record.backend}"`,
      );
    }
    if (DELETE_KINDS.has(record.op.kind)) {
      await this.finishDelete(spec, key);
      return (await store.get<R>(spec.storeKind, key))?.value;
    }
    return this.finishSuccess(spec, key, opId, status.output);
  }

  /** An intent without a backend token whose lease is free: its broker died mid-call. Repeat the call. */
  private async resumeInterrupted<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    current: { value: R; version: number },
  ): Promise<void> {
    const { store, metrics, tuning } = this.deps;
    const lease = await tryLease(store, metrics, spec.resourceName(key), tuning.leaseTtlMs);
    if (lease === undefined) return;
    try {
      const fresh = await store.get<R>(spec.storeKind, key);
      if (fresh === undefined || fresh.version !== current.version) return;
      this.deps.log.info({ key, kind: fresh.value.op.kind }, 'repeating a backend call interrupted by a broker crash');
      await this.callAndRecord(spec, key, fresh, {}, lease).catch(() => undefined);
    } finally {
      await lease.release();
    }
  }

  /** Repeats a create that failed with an infrastructure error (an identical PUT), under the caller's lease. */
  async retryCreate<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    current: { value: R; version: number },
    identity: CallIdentity,
    lease: Lease,
  ): Promise<BrokerResult> {
    const op = { ...current.value.op, state: 'in progress', description: undefined, retryable: undefined };
    const retried = { ...current.value, status: 'creating', op } as R;
    return this.run(spec, key, retried, { ifVersion: current.version }, identity, lease);
  }
}

import { errors, type JsonObject } from '../plugin-api/index.ts';
import type { CallIdentity } from '../registry/guarded-backend.ts';
import type { BrokerDeps, BrokerResult } from './broker-deps.ts';
import type { StoredRecord } from '../state/store.ts';
import {
  accepted,
  type Lifecycle,
  type LifecycleRecord,
  newOperation,
  type ResourceSpec,
  StaleIntentError,
} from './lifecycle.ts';
import { openOperationKey } from './records.ts';
import { newSalt } from './request-hash.ts';
import { mutate, tryLease } from './store-ops.ts';

export interface RequestMeta {
  identity: CallIdentity;
  acceptsIncomplete: boolean;
}

/** The OSB idempotency table for creates, deletes and last_operation, shared by instances and bindings. */
export class ResourceRequests {
  constructor(
    private readonly deps: BrokerDeps,
    private readonly lifecycle: Lifecycle,
  ) {}

  /**
   * PUT: a re-sent identical request is answered from the store (200 / 202 with the same operation);
   * a different one is 409; a new one takes the lease, writes its intent and calls the backend once.
   */
  async create<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    hashFor: (salt: string) => string,
    buildIntent: (salt: string) => R,
    meta: RequestMeta,
  ): Promise<BrokerResult> {
    const { lease, current } = await this.leaseAndRead(spec, key);
    if (lease === undefined) {
      if (current !== undefined && current.value.status !== 'deleted') {
        // Same attributes (a different request was refused above); its retry is the lease holder's to run.
        const answer = this.answerRepeatedCreate(spec, current.value, hashFor(current.value.salt));
        return answer === 'retry' ? accepted(current.value.op.id) : answer;
      }
      throw errors.concurrency(`another request is changing ${spec.resourceName(key)}; retry later`);
    }
    try {
      const decide = (found: StoredRecord<R> | undefined) => {
        if (found !== undefined && found.value.status !== 'deleted') {
          const answer = this.answerRepeatedCreate(spec, found.value, hashFor(found.value.salt));
          if (answer !== 'retry') return Promise.resolve(answer);
          return this.lifecycle.retryCreate(spec, key, found, meta.identity, lease);
        }
        const write = found === undefined ? ({ ifAbsent: true } as const) : { ifVersion: found.version };
        return this.lifecycle.run(spec, key, buildIntent(newSalt()), write, meta.identity, lease);
      };
      return await this.againIfStale(decide, current, () => this.deps.store.get<R>(spec.storeKind, key));
    } finally {
      await lease.release();
    }
  }

  /**
   * Asks for the lease and reads the record in one go: the lease first, so that a store which keeps the order of
   * commands (Redis on one connection, memory) answers the read under the lease in a single round trip. Where it
   * may not (DynamoDB), a stale read shows as a failed intent write, and `againIfStale` reads once more.
   */
  private async leaseAndRead<R extends LifecycleRecord>(spec: ResourceSpec<R>, key: string) {
    const { store, metrics, tuning } = this.deps;
    const [lease, current] = await Promise.all([
      tryLease(store, metrics, spec.resourceName(key), tuning.leaseTtlMs),
      store.get<R>(spec.storeKind, key).catch((error: unknown) => error as Error),
    ]);
    if (current instanceof Error) {
      await lease?.release();
      throw current;
    }
    return { lease, current };
  }

  /** Runs `decide` on the record read with the lease; if its intent write finds that read stale, reads again. */
  private async againIfStale<R extends LifecycleRecord>(
    decide: (found: StoredRecord<R> | undefined) => Promise<BrokerResult>,
    read: StoredRecord<R> | undefined,
    reread: () => Promise<StoredRecord<R> | undefined>,
  ): Promise<BrokerResult> {
    try {
      return await decide(read);
    } catch (error) {
      if (!(error instanceof StaleIntentError)) throw error;
    }
    try {
      return await decide(await reread());
    } catch (error) {
      if (!(error instanceof StaleIntentError)) throw error;
      throw errors.concurrency('the resource changed twice while this request was deciding; retry');
    }
  }

  private answerRepeatedCreate<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    record: R,
    hash: string,
  ): BrokerResult | 'retry' {
    if (record.createHash !== hash) {
      throw errors.conflict(`${spec.resourceName(record.id)} already exists with different attributes`);
    }
    switch (record.status) {
      case 'ready':
      case 'updating':
        return { status: 200, body: spec.doneBody(record) };
      case 'deleting':
        throw errors.concurrency(`${spec.resourceName(record.id)} is being deleted`);
      case 'failed':
        if (record.op.retryable && (record.op.kind === 'provision' || record.op.kind === 'bind')) return 'retry';
        return accepted(record.op.id);
      default:
        return accepted(record.op.id);
    }
  }

  /**
   * DELETE: 410 when unknown; the same operation when already deleting; accepted and queued (202) while
   * another operation runs, so a platform that re-sends DELETE never sees a permanent 422.
   */
  async remove<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    meta: RequestMeta,
  ): Promise<BrokerResult> {
    const { lease, current } = await this.leaseAndRead(spec, key);
    const early = (found: StoredRecord<R> | undefined): BrokerResult | 'queue' | undefined => {
      if (found === undefined || found.value.status === 'deleted') return { status: 410, body: {} };
      const record = found.value;
      if (record.status === 'deleting' && record.op.state === 'in progress') return accepted(record.op.id);
      if (record.pendingDelete !== undefined) return accepted(record.pendingDelete.operationId);
      if (record.op.state === 'in progress') return 'queue';
      return undefined;
    };
    const answer = early(current);
    if (lease === undefined || answer !== undefined) {
      // The queued delete starts under its own lease once the running operation ends: ours must be gone by then.
      await lease?.release();
      if (answer === undefined || answer === 'queue') return this.queueDelete(spec, key, meta);
      return answer;
    }
    try {
      const kind = spec.target === 'instance' ? 'deprovision' : 'unbind';
      const decide = async (found: StoredRecord<R> | undefined): Promise<BrokerResult> => {
        const again = early(found);
        if (again === 'queue') return accepted((found as StoredRecord<R>).value.op.id);
        if (again !== undefined) return again;
        const live = found as StoredRecord<R>;
        const op = newOperation(kind, '', this.deps.tuning.maxDurationMs, meta.acceptsIncomplete);
        const intent = { ...live.value, status: 'deleting', op, updatedAt: Date.now() } as R;
        return this.lifecycle.run(spec, key, intent, { ifVersion: live.version }, meta.identity, lease);
      };
      return await this.againIfStale(decide, current, () => this.deps.store.get<R>(spec.storeKind, key));
    } finally {
      await lease.release();
    }
  }

  private async queueDelete<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    meta: RequestMeta,
  ): Promise<BrokerResult> {
    if (!meta.acceptsIncomplete) {
      throw errors.concurrency(
        `another operation of ${spec.resourceName(key)} is running; retry, or send accepts_incomplete=true to queue the delete`,
      );
    }
    const kind = spec.target === 'instance' ? 'deprovision' : 'unbind';
    const operationId = newOperation(kind, '', 0, true).id;
    await this.deps.store.put('operation', openOperationKey(spec.target, key), { target: spec.target, id: key });
    const stored = await mutate<R>(this.deps.store, spec.storeKind, key, (r) =>
      r.pendingDelete !== undefined || r.status === 'deleted'
        ? undefined
        : ({ ...r, pendingDelete: { operationId, requestedAt: Date.now() } } as R),
    );
    const pending = stored?.value.pendingDelete;
    if (stored === undefined || stored.value.status === 'deleted') return { status: 410, body: {} };
    if (pending === undefined) return accepted(stored.value.op.id);
    // The running operation may have ended between our read and the write: start the delete now if so.
    if (stored.value.op.state !== 'in progress') await this.lifecycle.startPendingDelete(spec, key);
    return accepted(pending.operationId);
  }

  /** last_operation: 200 with the state; unknown resources 404, or 410 for a finished delete. */
  async lastOperation<R extends LifecycleRecord>(
    spec: ResourceSpec<R>,
    key: string,
    operation: string | undefined,
  ): Promise<BrokerResult> {
    const record = await this.lifecycle.refresh(spec, key);
    if (record === undefined) {
      if (operation?.startsWith('deprovision-') || operation?.startsWith('unbind-')) return { status: 410, body: {} };
      throw errors.notFound(`${spec.resourceName(key)} does not exist`);
    }
    if (record.status === 'deleted') return { status: 200, body: { state: 'succeeded' } };
    if (operation !== undefined && operation === record.pendingDelete?.operationId) {
      return {
        status: 200,
        body: { state: 'in progress', description: 'delete queued until the running operation ends' },
      };
    }
    const body: JsonObject = { state: record.op.state };
    if (record.op.description !== undefined) body.description = record.op.description;
    return { status: 200, body };
  }
}

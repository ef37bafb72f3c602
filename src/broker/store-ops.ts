import { randomUUID } from 'node:crypto';
import type { Metrics } from '../observability/metrics.ts';
import {
  type PutOptions,
  type RecordKind,
  StoreConflictError,
  type StateStore,
  type StoredRecord,
} from '../state/store.ts';

const MAX_ATTEMPTS = 8;

/**
 * Read-modify-write with a version condition, retried on a lost race. `change` returns undefined to stop.
 * `known` is the record as the caller last wrote or read it: the first attempt starts from it instead of a read
 * (a store round trip saved); if it is stale, the version condition fails and the loop reads as usual.
 */
export async function mutate<T>(
  store: StateStore,
  kind: RecordKind,
  id: string,
  change: (current: T) => T | undefined,
  known?: StoredRecord<T>,
  write: Pick<PutOptions, 'ttlMs'> = {},
): Promise<StoredRecord<T> | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = attempt === 0 && known !== undefined ? known : await store.get<T>(kind, id);
    if (current === undefined) return undefined;
    const next = change(current.value);
    if (next === undefined) return current;
    try {
      const version = await store.put(kind, id, next, { ...write, ifVersion: current.version });
      return { value: next, version };
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
    }
  }
  throw new StoreConflictError(kind, id);
}

export interface Lease {
  owner: string;
  release(): Promise<void>;
}

/** Takes the mutation lease of one resource, or returns undefined when another mutation holds it. */
export async function tryLease(
  store: StateStore,
  metrics: Metrics,
  name: string,
  ttlMs: number,
): Promise<Lease | undefined> {
  const owner = randomUUID();
  if (!(await store.acquireLease(name, owner, ttlMs))) {
    metrics.leaseConflicts.inc();
    return undefined;
  }
  // Idempotent: an operation's last write releases it in the same round trip, the holder's `finally` again.
  let released: Promise<void> | undefined;
  return { owner, release: () => (released ??= store.releaseLease(name, owner).catch(() => undefined)) };
}

/**
 * The StateStore contract. Every implementation (memory, redis, dynamodb) passes test/contract/store-contract.ts.
 * Values are plain JSON; secrets inside them are already sealed by the caller (see key-ring.ts).
 */
export type RecordKind = 'instance' | 'binding' | 'operation' | 'catalog';

export interface StoredRecord<T> {
  value: T;
  /** Starts at 1 and grows by one with every successful put. */
  version: number;
}

export interface ListOptions {
  /** Only records whose id starts with this (e.g. `<instance id>/`: the bindings of one instance). */
  idPrefix?: string;
}

export interface PutOptions {
  /** Write only when no live record with this id exists. */
  ifAbsent?: true;
  /** Write only when the current version equals this one. */
  ifVersion?: number;
  /** Record expires (reads as absent) after this many milliseconds. */
  ttlMs?: number;
}

export interface DeleteOptions {
  ifVersion?: number;
}

/** Thrown (and only thrown) when a write condition does not hold. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
  constructor(kind: RecordKind, id: string) {
    super(`conflicting write to ${kind} ${id}`);
  }
}

/** Thrown when the store itself cannot be reached or answered badly; the gateway answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface StateStore {
  get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined>;
  /** Returns the new version. Throws StoreConflictError when a condition fails. */
  put<T>(kind: RecordKind, id: string, value: T, options?: PutOptions): Promise<number>;
  /** Deleting an absent record is not an error unless `ifVersion` is given. */
  delete(kind: RecordKind, id: string, options?: DeleteOptions): Promise<void>;
  /** All live records of a kind (e.g. every open operation, for resume after a restart), or those of one prefix. */
  list<T>(kind: RecordKind, options?: ListOptions): Promise<Array<{ id: string } & StoredRecord<T>>>;
  /** True when `owner` now holds the lease (fresh, or already its own: then the TTL is renewed). */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases only when `owner` still holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

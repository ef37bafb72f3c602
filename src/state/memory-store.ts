import { parseFrozen } from './frozen-records.ts';
import {
  type DeleteOptions,
  type ListOptions,
  type PutOptions,
  type RecordKind,
  StoreConflictError,
  type StateStore,
  type StoredRecord,
} from './store.ts';

interface Entry {
  json: string;
  /** Parsed on first read, frozen, and shared by every later read of this version. */
  value?: unknown;
  version: number;
  expiresAt: number | undefined;
}

function parsedValue<T>(entry: Entry): T {
  entry.value ??= parseFrozen(entry.json);
  return entry.value as T;
}

/** In-process store: values are copied in as JSON text, and read back as frozen values, so no caller can change it. */
export class MemoryStore implements StateStore {
  /** One map per kind, so a listing walks only its own kind's records. */
  private readonly records = new Map<RecordKind, Map<string, Entry>>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();

  private table(kind: RecordKind): Map<string, Entry> {
    let table = this.records.get(kind);
    if (table === undefined) {
      table = new Map();
      this.records.set(kind, table);
    }
    return table;
  }

  private live(kind: RecordKind, id: string): Entry | undefined {
    const table = this.table(kind);
    const entry = table.get(id);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      table.delete(id);
      return undefined;
    }
    return entry;
  }

  async get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined> {
    const entry = this.live(kind, id);
    return entry === undefined ? undefined : { value: parsedValue<T>(entry), version: entry.version };
  }

  async put<T>(kind: RecordKind, id: string, value: T, options: PutOptions = {}): Promise<number> {
    const current = this.live(kind, id);
    if (options.ifAbsent && current !== undefined) throw new StoreConflictError(kind, id);
    if (options.ifVersion !== undefined && current?.version !== options.ifVersion)
      throw new StoreConflictError(kind, id);
    const version = (current?.version ?? 0) + 1;
    const expiresAt = options.ttlMs === undefined ? undefined : Date.now() + options.ttlMs;
    this.table(kind).set(id, { json: JSON.stringify(value), version, expiresAt });
    return version;
  }

  async delete(kind: RecordKind, id: string, options: DeleteOptions = {}): Promise<void> {
    const current = this.live(kind, id);
    if (options.ifVersion !== undefined && current?.version !== options.ifVersion)
      throw new StoreConflictError(kind, id);
    this.table(kind).delete(id);
  }

  async list<T>(kind: RecordKind, options: ListOptions = {}): Promise<Array<{ id: string } & StoredRecord<T>>> {
    const prefix = options.idPrefix ?? '';
    const out: Array<{ id: string } & StoredRecord<T>> = [];
    // Deleting the current entry while iterating a Map is safe: live() drops expired ones as it goes.
    for (const id of this.table(kind).keys()) {
      if (!id.startsWith(prefix)) continue;
      const entry = this.live(kind, id);
      if (entry !== undefined) out.push({ id, value: parsedValue<T>(entry), version: entry.version });
    }
    return out;
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const lease = this.leases.get(name);
    if (lease !== undefined && lease.expiresAt > now && lease.owner !== owner) return false;
    this.leases.set(name, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ensureStoreTable, TTL_ATTRIBUTE } from './dynamodb-schema.ts';
import { ParsedRecordCache } from './frozen-records.ts';
import type { StoreLog } from './store-config.ts';
import {
  type DeleteOptions,
  type ListOptions,
  type PutOptions,
  type RecordKind,
  StoreConflictError,
  type StateStore,
  type StoredRecord,
  StoreUnavailableError,
} from './store.ts';

type Item = Record<string, AttributeValue>;

const LEASE_PARTITION = '_lease';
const ATTRIBUTE_NAMES: Record<string, string> = {
  '#pk': 'pk',
  '#sk': 'sk',
  '#version': 'version',
  '#value': 'value',
  '#exp': 'expiresAtMs',
  '#ttl': TTL_ATTRIBUTE,
  '#owner': 'owner',
};
/** TTL deletion is lazy (hours), so every read and condition also checks the millisecond expiry itself. */
const LIVE = '(attribute_not_exists(#exp) OR #exp > :now)';
const ABSENT_OR_EXPIRED = '(attribute_not_exists(#pk) OR #exp <= :now)';
/** An unconditional put retries when a concurrent writer keeps replacing an expired record under it. */
const UNCONDITIONAL_PUT_ATTEMPTS = 5;

const num = (n: number): AttributeValue => ({ N: String(n) });
const str = (s: string): AttributeValue => ({ S: s });

/** ExpressionAttributeNames/Values limited to the ones the expressions use (DynamoDB rejects unused ones). */
function expressionAttributes(expressions: string[], values: Item = {}) {
  const text = expressions.join(' ');
  const names = Object.fromEntries(Object.entries(ATTRIBUTE_NAMES).filter(([k]) => text.includes(k)));
  const used = Object.entries(values).filter(([k]) => new RegExp(`${k}(?!\\w)`).test(text));
  return {
    ExpressionAttributeNames: names,
    ...(used.length > 0 ? { ExpressionAttributeValues: Object.fromEntries(used) } : {}),
  };
}

/** The expiry attributes of a record written now with `ttlMs` (none without it). */
function expiry(
  ttlMs: number | undefined,
  now: number,
): { expiresAtMs: AttributeValue; ttl: AttributeValue } | undefined {
  if (ttlMs === undefined) return undefined;
  const expiresAtMs = now + Math.max(1, Math.ceil(ttlMs));
  return { expiresAtMs: num(expiresAtMs), ttl: num(Math.ceil(expiresAtMs / 1000)) };
}

const expiryAttributes = (ttlMs: number | undefined, now: number): Item => {
  const exp = expiry(ttlMs, now);
  return exp === undefined ? {} : { expiresAtMs: exp.expiresAtMs, [TTL_ATTRIBUTE]: exp.ttl };
};

/** The result of a conditional request, or undefined when its condition did not hold. */
async function ifConditionHolds<R>(request: Promise<R>): Promise<R | undefined> {
  try {
    return await request;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw err;
  }
}

function isLive(item: Item, now: number): boolean {
  const exp = item.expiresAtMs?.N;
  return exp === undefined || Number(exp) > now;
}

export class DynamoDbStore implements StateStore {
  private readonly parsed = new ParsedRecordCache();
  private closed = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly log: StoreLog,
  ) {}

  /** Creates the table if needed and enables TTL (the same as `omnibroker init-store`). */
  initTable(timeoutMs?: number): Promise<void> {
    return this.call('initTable', () => ensureStoreTable(this.client, this.table, this.log, timeoutMs));
  }

  private async call<R>(what: string, request: () => Promise<R>): Promise<R> {
    if (this.closed) throw new StoreUnavailableError('dynamodb state store is closed');
    try {
      return await request();
    } catch (err) {
      if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) throw err;
      const name = (err as Error).name;
      const hint =
        name === 'ResourceNotFoundException' ? ` (does table ${this.table} exist? omnibroker init-store)` : '';
      throw new StoreUnavailableError(`dynamodb ${what} failed: ${name}: ${(err as Error).message}${hint}`, {
        cause: err,
      });
    }
  }

  private key(kind: RecordKind, id: string): Item {
    return { pk: str(kind), sk: str(id) };
  }

  /** Writes the whole record when `condition` holds; false when it does not. */
  private async putRecord(
    kind: RecordKind,
    id: string,
    record: { json: string; version: number; ttlMs: number | undefined },
    condition: string,
    values: Item = {},
  ): Promise<boolean> {
    const now = Date.now();
    const written = await ifConditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            ...this.key(kind, id),
            version: num(record.version),
            value: str(record.json),
            ...expiryAttributes(record.ttlMs, now),
          },
          ConditionExpression: condition,
          ...expressionAttributes([condition], { ':now': num(now), ...values }),
        }),
      ),
    );
    return written !== undefined;
  }

  private parse<T>(kind: RecordKind, id: string, item: Item): StoredRecord<T> {
    const version = item.version?.N;
    const json = item.value?.S;
    if (version === undefined || json === undefined)
      throw new StoreUnavailableError(`dynamodb record ${kind} ${id} is incomplete (no version or value)`);
    return { value: this.parsed.parse<T>(`${kind}/${id}`, json), version: Number(version) };
  }

  get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined> {
    return this.call('get', async () => {
      const { Item: item } = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: this.key(kind, id), ConsistentRead: true }),
      );
      return item === undefined || !isLive(item, Date.now()) ? undefined : this.parse<T>(kind, id, item);
    });
  }

  put<T>(kind: RecordKind, id: string, value: T, options: PutOptions = {}): Promise<number> {
    return this.call('put', async () => {
      const json = JSON.stringify(value);
      const { ifAbsent, ifVersion, ttlMs } = options;
      // Both conditions at once can never hold: an absent record has no version.
      if (ifAbsent && ifVersion !== undefined) throw new StoreConflictError(kind, id);
      const first = { json, version: 1, ttlMs };
      if (ifAbsent) {
        if (await this.putRecord(kind, id, first, ABSENT_OR_EXPIRED)) return 1;
        throw new StoreConflictError(kind, id);
      }
      if (ifVersion !== undefined) {
        const next = { json, version: ifVersion + 1, ttlMs };
        if (await this.putRecord(kind, id, next, `#version = :expected AND ${LIVE}`, { ':expected': num(ifVersion) }))
          return next.version;
        throw new StoreConflictError(kind, id);
      }
      for (let attempt = 0; attempt < UNCONDITIONAL_PUT_ATTEMPTS; attempt++) {
        const version = await this.updateLive(kind, id, json, ttlMs);
        if (version !== undefined) return version;
        // The stored record has expired: it restarts at version 1, like a fresh one.
        if (await this.putRecord(kind, id, first, ABSENT_OR_EXPIRED)) return 1;
      }
      throw new StoreUnavailableError(`dynamodb put of ${kind} ${id} kept racing with other writers`);
    });
  }

  /** Increments the version of a live (or absent) record in place; undefined when the stored one has expired. */
  private async updateLive(kind: RecordKind, id: string, json: string, ttlMs: number | undefined) {
    const now = Date.now();
    const exp = expiry(ttlMs, now);
    const update =
      'SET #value = :value, #version = if_not_exists(#version, :zero) + :one' +
      (ttlMs === undefined ? ' REMOVE #exp, #ttl' : ', #exp = :exp, #ttl = :ttl');
    const updated = await ifConditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(kind, id),
          UpdateExpression: update,
          ConditionExpression: LIVE,
          ReturnValues: 'UPDATED_NEW',
          ...expressionAttributes([update, LIVE], {
            ':value': str(json),
            ':zero': num(0),
            ':one': num(1),
            ':now': num(now),
            ...(exp === undefined ? {} : { ':exp': exp.expiresAtMs, ':ttl': exp.ttl }),
          }),
        }),
      ),
    );
    return updated === undefined ? undefined : Number(updated.Attributes?.version?.N);
  }

  delete(kind: RecordKind, id: string, options: DeleteOptions = {}): Promise<void> {
    return this.call('delete', async () => {
      this.parsed.forget(`${kind}/${id}`);
      if (options.ifVersion === undefined) {
        await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: this.key(kind, id) }));
        return;
      }
      const condition = `#version = :expected AND ${LIVE}`;
      const deleted = await ifConditionHolds(
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: this.key(kind, id),
            ConditionExpression: condition,
            ...expressionAttributes([condition], { ':expected': num(options.ifVersion), ':now': num(Date.now()) }),
          }),
        ),
      );
      if (deleted === undefined) throw new StoreConflictError(kind, id);
    });
  }

  list<T>(kind: RecordKind, options: ListOptions = {}): Promise<Array<{ id: string } & StoredRecord<T>>> {
    return this.call('list', async () => {
      const out: Array<{ id: string } & StoredRecord<T>> = [];
      const prefix = options.idPrefix ?? '';
      let start: Item | undefined;
      do {
        const keyCondition = prefix === '' ? '#pk = :kind' : '#pk = :kind AND begins_with(#sk, :prefix)';
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: keyCondition,
            FilterExpression: LIVE,
            ConsistentRead: true,
            ExclusiveStartKey: start,
            ...expressionAttributes([keyCondition, LIVE], {
              ':kind': str(kind),
              ':prefix': str(prefix),
              ':now': num(Date.now()),
            }),
          }),
        );
        for (const item of page.Items ?? []) {
          const id = item.sk?.S ?? '';
          out.push({ id, ...this.parse<T>(kind, id, item) });
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return out;
    });
  }

  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.call('acquireLease', async () => {
      const now = Date.now();
      const condition = `${ABSENT_OR_EXPIRED} OR #owner = :owner`;
      const acquired = await ifConditionHolds(
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { pk: str(LEASE_PARTITION), sk: str(name), owner: str(owner), ...expiryAttributes(ttlMs, now) },
            ConditionExpression: condition,
            ...expressionAttributes([condition], { ':now': num(now), ':owner': str(owner) }),
          }),
        ),
      );
      return acquired !== undefined;
    });
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return this.call('releaseLease', async () => {
      const condition = '#owner = :owner';
      // A failed condition means someone else holds it (or nobody): releasing is then a no-op.
      await ifConditionHolds(
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: { pk: str(LEASE_PARTITION), sk: str(name) },
            ConditionExpression: condition,
            ...expressionAttributes([condition], { ':owner': str(owner) }),
          }),
        ),
      );
    });
  }

  ping(): Promise<void> {
    return this.call('ping', async () => {
      await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { pk: str('_ping'), sk: str('_ping') } }),
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }
}

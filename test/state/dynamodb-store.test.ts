import { DescribeTableCommand, DescribeTimeToLiveCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/state/create-store.ts';
import { TTL_ATTRIBUTE } from '../../src/state/dynamodb-schema.ts';
import { DynamoDbStore } from '../../src/state/dynamodb-store.ts';
import { StoreUnavailableError } from '../../src/state/store.ts';
import { storeContract } from '../contract/store-contract.ts';
import { recordingLog, timed } from './store-test-helpers.ts';
import { type PrivateDynalite, startDynalite } from '../support/dynalite.ts';

const quiet = recordingLog().log;

let dynalite: PrivateDynalite;
let tables = 0;
const freshTable = () => `omnibroker-test-${++tables}`;

beforeAll(async () => {
  // createStore takes credentials from the default AWS chain; this test file runs in its own process.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite?.stop();
});

storeContract('dynamodb (dynalite)', async () => {
  const store = new DynamoDbStore(dynalite.client(), freshTable(), quiet);
  await store.initTable();
  return store;
});

describe('DynamoDbStore', () => {
  it('initTable creates the pk/sk PAY_PER_REQUEST table once, and warns that dynalite has no TTL API', async () => {
    const table = freshTable();
    const { lines, log } = recordingLog();
    const store = new DynamoDbStore(dynalite.client(), table, log);
    const client = dynalite.client();
    try {
      await store.initTable();
      await store.initTable();
      const { Table: described } = await client.send(new DescribeTableCommand({ TableName: table }));
      expect(described?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(described?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(lines.filter((l) => l.msg === 'DynamoDB state table created')).toHaveLength(1);
      expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
        expect.stringMatching(/no UpdateTimeToLive/),
        expect.stringMatching(/no UpdateTimeToLive/),
      ]);
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    } finally {
      await store.close();
      client.destroy();
    }
  });

  it('stores only what was put: JSON text, a version, and a ttl in epoch seconds on expiring records', async () => {
    const table = freshTable();
    const store = new DynamoDbStore(dynalite.client(), table, quiet);
    const client = dynalite.client();
    try {
      await store.initTable();
      await store.put('instance', 'i-1', { plan: 'small', secrets: { kid: 'k1', ct: 'opaque' } });
      await store.put('instance', 'i-1', { plan: 'large' });
      const before = Date.now();
      await store.put('operation', 'op-1', { state: 'succeeded' }, { ttlMs: 3_600_000 });
      await store.acquireLease('instance:i-1', 'replica-a', 60_000);
      const { Items: items = [] } = await client.send(new ScanCommand({ TableName: table }));
      const byKey = new Map(items.map((item) => [`${item.pk?.S}/${item.sk?.S}`, item]));
      expect([...byKey.keys()].sort()).toEqual(['_lease/instance:i-1', 'instance/i-1', 'operation/op-1']);
      expect(byKey.get('instance/i-1')).toEqual({
        pk: { S: 'instance' },
        sk: { S: 'i-1' },
        version: { N: '2' },
        value: { S: '{"plan":"large"}' },
      });
      const operation = byKey.get('operation/op-1');
      const ttlSeconds = Number(operation?.[TTL_ATTRIBUTE]?.N);
      expect(ttlSeconds).toBeGreaterThanOrEqual(Math.floor((before + 3_600_000) / 1000));
      expect(ttlSeconds).toBeLessThanOrEqual(Math.ceil((Date.now() + 3_600_000) / 1000));
      expect(operation?.value).toEqual({ S: '{"state":"succeeded"}' });
      expect(byKey.get('_lease/instance:i-1')?.owner).toEqual({ S: 'replica-a' });
    } finally {
      await store.close();
      client.destroy();
    }
  });

  it('a missing table is StoreUnavailableError naming init-store', async () => {
    const store = new DynamoDbStore(dynalite.client(), 'never-created', quiet);
    try {
      await expect(store.get('instance', 'i')).rejects.toThrow(StoreUnavailableError);
      await expect(store.ping()).rejects.toThrow(/never-created.*init-store/);
    } finally {
      await store.close();
    }
  });

  it('an unreachable endpoint fails with StoreUnavailableError within 2 s; a closed store too', async () => {
    const down = await startDynalite();
    const store = new DynamoDbStore(down.client(), freshTable(), quiet);
    await store.initTable();
    await store.put('instance', 'i', { n: 1 });
    await down.stop();
    for (const operation of [
      () => store.get('instance', 'i'),
      () => store.put('instance', 'i', { n: 2 }, { ifVersion: 1 }),
      () => store.acquireLease('l', 'owner', 1000),
    ]) {
      const { ms, error } = await timed(operation);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(2000);
    }
    await store.close();
    await expect(store.list('instance')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('an endpoint that accepts but never answers fails with StoreUnavailableError within 2 s', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const store = await createStore(
      { type: 'dynamodb', table: 'hung', region: 'local', endpoint: `http://127.0.0.1:${port}` },
      quiet,
    );
    try {
      const { ms, error } = await timed(() => store.put('instance', 'i', { n: 1 }, { ifAbsent: true }));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(2000);
    } finally {
      await store.close();
      silent.close();
    }
  });

  it('createStore builds a DynamoDB store from the config', async () => {
    const table = freshTable();
    const store = await createStore({ type: 'dynamodb', table, region: 'local', endpoint: dynalite.endpoint }, quiet);
    try {
      expect(store).toBeInstanceOf(DynamoDbStore);
      await (store as DynamoDbStore).initTable();
      expect(await store.put('catalog', 'backend-a', { services: [] }, { ifAbsent: true })).toBe(1);
      expect(await store.list('catalog')).toEqual([{ id: 'backend-a', value: { services: [] }, version: 1 }]);
    } finally {
      await store.close();
    }
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/state/create-store.ts';
import { RedisStore } from '../../src/state/redis-store.ts';
import { type StateStore, StoreUnavailableError } from '../../src/state/store.ts';
import { storeContract } from '../contract/store-contract.ts';
import { recordingLog, timed } from './store-test-helpers.ts';
import { freePort, waitFor } from '../support/ports.ts';
import { type PrivateRedis, startRedis } from '../support/redis.ts';

const quiet = recordingLog().log;

let redis: PrivateRedis;
let prefixes = 0;

async function connected(
  config: { url: string; keyPrefix?: string; username?: string; password?: string },
  log = quiet,
) {
  const store = new RedisStore({ type: 'redis', ...config }, log);
  expect(await store.waitUntilReady(5000)).toBe(true);
  return store;
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

storeContract('redis', () => connected({ url: redis.url, keyPrefix: `contract-${++prefixes}:` }));

describe('RedisStore', () => {
  it('keeps stores with different key prefixes apart', async () => {
    const a = await connected({ url: redis.url, keyPrefix: 'tenant-a:' });
    const b = await connected({ url: redis.url, keyPrefix: 'tenant-b:' });
    try {
      await a.put('instance', 'shared-id', { owner: 'a' });
      expect(await b.get('instance', 'shared-id')).toBeUndefined();
      expect(await b.put('instance', 'shared-id', { owner: 'b' }, { ifAbsent: true })).toBe(1);
      expect(await a.acquireLease('shared-lease', 'a', 5000)).toBe(true);
      expect(await b.acquireLease('shared-lease', 'b', 5000)).toBe(true);
      expect(await a.list('instance')).toEqual([{ id: 'shared-id', value: { owner: 'a' }, version: 1 }]);
      expect(await b.list('instance')).toEqual([{ id: 'shared-id', value: { owner: 'b' }, version: 1 }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('writes nothing to Redis but the records, index and leases it was given, all under its prefix', async () => {
    // A database of its own, so the dump holds this store's keys only.
    const url = `${redis.url}/7`;
    const store = await connected({ url, keyPrefix: 'dump:' });
    const raw = new Redis(url);
    try {
      await store.put('instance', 'i-1', { plan: 'small', secrets: { kid: 'k1', ct: 'opaque' } });
      await store.put('instance', 'i-1', { plan: 'large' });
      await store.put('operation', 'op-1', { state: 'succeeded' }, { ttlMs: 60_000 });
      await store.acquireLease('instance:i-1', 'replica-a', 60_000);
      const dump: Record<string, unknown> = {};
      for (const key of await raw.keys('*')) {
        const type = await raw.type(key);
        if (type === 'hash') dump[key] = await raw.hgetall(key);
        else if (type === 'set') dump[key] = (await raw.smembers(key)).sort();
        else dump[key] = await raw.get(key);
      }
      expect(Object.keys(dump).filter((k) => !k.startsWith('dump:'))).toEqual([]);
      expect(dump).toEqual({
        'dump:rec:instance:i-1': { version: '2', value: '{"plan":"large"}' },
        'dump:rec:operation:op-1': { version: '1', value: '{"state":"succeeded"}' },
        'dump:idx:instance': ['i-1'],
        'dump:idx:operation': ['op-1'],
        'dump:lease:instance:i-1': 'replica-a',
      });
      expect(await raw.pttl('dump:rec:operation:op-1')).toBeGreaterThan(50_000);
      expect(await raw.pttl('dump:rec:instance:i-1')).toBe(-1);
    } finally {
      await raw.flushdb();
      raw.disconnect();
      await store.close();
    }
  });

  it('warns at connect when Redis has no persistence, and not when AOF is on', async () => {
    const ephemeral = recordingLog();
    const store = await connected({ url: redis.url }, ephemeral.log);
    const durableRedis = await startRedis({ appendonly: true });
    const durable = recordingLog();
    const durableStore = await connected({ url: durableRedis.url }, durable.log);
    try {
      await waitFor(async () => ephemeral.lines.some((l) => l.level === 'warn'), 2000, 'the persistence warning');
      expect(ephemeral.lines.find((l) => l.level === 'warn')?.msg).toMatch(/no persistence/);
      await durableStore.ping();
      await new Promise((r) => setTimeout(r, 100));
      expect(durable.lines.filter((l) => l.level === 'warn')).toEqual([]);
    } finally {
      await Promise.all([store.close(), durableStore.close()]);
      await durableRedis.stop();
    }
  });

  it('authenticates as the configured ACL user (not the URL credentials) and tolerates CONFIG being denied', async () => {
    const admin = new Redis(redis.url);
    await admin.acl('SETUSER', 'broker', 'on', '>broker-password-1', '~*', '+@all', '-config');
    const { lines, log } = recordingLog();
    const staleUrl = redis.url.replace('redis://', 'redis://old-user:old-password@');
    const store = await connected(
      { url: staleUrl, username: 'broker', password: 'broker-password-1', keyPrefix: 'acl:' },
      log,
    );
    try {
      expect(await store.put('instance', 'i', { ok: true })).toBe(1);
      await waitFor(async () => lines.some((l) => /could not check redis persistence/.test(l.msg)), 2000, 'the note');
      expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
      const wrong = new RedisStore({ type: 'redis', url: redis.url, username: 'broker', password: 'wrong' }, quiet);
      expect(await wrong.waitUntilReady(500)).toBe(false);
      const { error } = await timed(() => wrong.get('instance', 'i'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      await wrong.close();
    } finally {
      await admin.acl('DELUSER', 'broker');
      admin.disconnect();
      await store.close();
    }
  });

  it("lists one instance's bindings without sending every binding's id over the network", async () => {
    const store = await connected({ url: redis.url, keyPrefix: `scan-${++prefixes}:` });
    const raw = new Redis(redis.url);
    const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await raw.info('stats'))?.[1]);
    try {
      await Promise.all(
        Array.from({ length: 5000 }, (_, i) => store.put('binding', `other-${i % 500}/b-${i}`, { n: i })),
      );
      await store.put('binding', 'mine/b-1', { n: 1 });
      await store.put('binding', 'mine/b-2', { n: 2 });
      // Glob characters in an id are matched literally.
      await store.put('binding', 'a*b/b-1', { n: 3 });
      await store.put('binding', 'axxb/b-1', { n: 4 });
      const before = await sent();
      const mine = await store.list<{ n: number }>('binding', { idPrefix: 'mine/' });
      const bytes = (await sent()) - before;
      expect(mine.map((r) => r.id).sort()).toEqual(['mine/b-1', 'mine/b-2']);
      // Every id of the 5000 would be over 60 KB; two records and the scan cursors are a few hundred bytes.
      expect(bytes).toBeLessThan(10_000);
      expect((await store.list('binding', { idPrefix: 'a*b/' })).map((r) => r.id)).toEqual(['a*b/b-1']);
      expect(await store.list('binding')).toHaveLength(5004);
    } finally {
      await raw.quit();
      await store.close();
    }
  });

  it('a closed store fails with StoreUnavailableError', async () => {
    const store = await connected({ url: redis.url });
    await store.close();
    await expect(store.get('instance', 'i')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('RedisStore during a Redis outage', () => {
  let outage: PrivateRedis;
  let store: StateStore;
  beforeAll(async () => {
    outage = await startRedis();
  });
  afterAll(async () => {
    await store?.close();
    await outage?.stop();
  });

  const everyOperation = (s: StateStore) => [
    () => s.get('instance', 'i'),
    () => s.put('instance', 'i', { n: 2 }, { ifVersion: 1 }),
    () => s.delete('binding', 'b'),
    () => s.list('operation'),
    () => s.acquireLease('l', 'owner', 1000),
    () => s.releaseLease('l', 'owner'),
    () => s.ping(),
  ];

  it('kill -9 of redis-server: every operation fails with StoreUnavailableError within 2 s, then heals', async () => {
    const { lines, log } = recordingLog();
    store = await connected({ url: outage.url, keyPrefix: 'outage:' }, log);
    await store.put('instance', 'i', { n: 1 });
    const inFlight = Array.from({ length: 10 }, () => timed(() => store.put('instance', 'i', { n: 1 })));
    await outage.kill();
    for (const result of [...(await Promise.all(inFlight)), ...(await Promise.all(everyOperation(store).map(timed)))]) {
      if (result.error !== undefined) expect(result.error).toBeInstanceOf(StoreUnavailableError);
      expect(result.ms).toBeLessThan(2000);
    }
    const whileDown = await Promise.all(everyOperation(store).map(timed));
    expect(whileDown.every((r) => r.error instanceof StoreUnavailableError)).toBe(true);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);

    await outage.start();
    await waitFor(() => store.ping().then(() => true), 5000, 'the store to reconnect');
    // The server restarted without persistence: the record is gone, and the store writes again.
    expect(await store.get('instance', 'i')).toBeUndefined();
    expect(await store.put('instance', 'i', { n: 1 }, { ifAbsent: true })).toBe(1);
    expect(await store.acquireLease('l', 'owner', 1000)).toBe(true);
  });

  it('a hung redis-server (SIGSTOP): operations fail within the command timeout, then heal on SIGCONT', async () => {
    const raw = new Redis(outage.url);
    const info = await raw.info('server');
    raw.disconnect();
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    process.kill(pid, 'SIGSTOP');
    try {
      const results = await Promise.all(everyOperation(store).map(timed));
      for (const { ms, error } of results) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(ms).toBeLessThan(2000);
      }
      // The stall is known by now: a command issued during it fails within one sweep, not after a deadline of its own.
      const during = await timed(() => store.get('instance', 'i'));
      expect(during.error).toBeInstanceOf(StoreUnavailableError);
      expect((during.error as Error).message).toMatch(/no answer from redis within 1000 ms/);
      expect(during.ms).toBeLessThan(500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(() => store.ping().then(() => true), 5000, 'the store to answer again');
    expect(await store.put('instance', 'after-hang', { ok: true })).toBe(1);
  });
});

describe('createStore', () => {
  it('builds a working Redis store from the config', async () => {
    const store = await createStore({ type: 'redis', url: redis.url, keyPrefix: 'factory:' }, quiet);
    try {
      expect(await store.put('catalog', 'backend-a', { services: [] })).toBe(1);
      expect(store).toBeInstanceOf(RedisStore);
    } finally {
      await store.close();
    }
  });

  it('does not fail start-up on an unreachable Redis; operations answer StoreUnavailableError at once', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const { lines, log } = recordingLog();
    const started = Date.now();
    const store = await createStore({ type: 'redis', url, connectTimeoutMs: 300 }, log);
    expect(Date.now() - started).toBeLessThan(1500);
    try {
      const { ms, error } = await timed(() => store.get('instance', 'i'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(200);
      expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { StoreConflictError, type StateStore } from '../../src/state/store.ts';

/** Short enough for a fast suite, long enough that a loaded 2-core machine does not expire records early. */
const TTL_MS = 200;
const PAST_TTL_MS = 400;
const WRITERS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outcomes(results: PromiseSettledResult<unknown>[]) {
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  return { won, lost, allLostByConflict: lost.every((r) => r.reason instanceof StoreConflictError) };
}

/**
 * The StateStore contract. `createStore` returns a fresh, empty store (its own key prefix, table or process)
 * for every test; the suite closes it afterwards.
 */
export function storeContract(label: string, createStore: () => Promise<StateStore>): void {
  describe(`StateStore contract: ${label}`, () => {
    let opened: StateStore[] = [];
    const fresh = async () => {
      const store = await createStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()));
      opened = [];
    });

    describe('records', () => {
      it('reads an absent record as undefined, and deleting it is not an error', async () => {
        const store = await fresh();
        expect(await store.get('instance', 'nope')).toBeUndefined();
        await expect(store.delete('instance', 'nope')).resolves.toBeUndefined();
      });

      it('puts, reads, overwrites and deletes; versions start at 1 and grow by one', async () => {
        const store = await fresh();
        expect(await store.put('instance', 'i-1', { plan: 'small' })).toBe(1);
        expect(await store.get('instance', 'i-1')).toEqual({ value: { plan: 'small' }, version: 1 });
        expect(await store.put('instance', 'i-1', { plan: 'large' })).toBe(2);
        expect(await store.put('instance', 'i-1', { plan: 'huge' })).toBe(3);
        expect(await store.get('instance', 'i-1')).toEqual({ value: { plan: 'huge' }, version: 3 });
        await store.delete('instance', 'i-1');
        expect(await store.get('instance', 'i-1')).toBeUndefined();
        expect(await store.put('instance', 'i-1', { plan: 'again' })).toBe(1);
      });

      it('keeps JSON values intact and detached from the caller', async () => {
        const store = await fresh();
        const value = {
          text: 'grüße, 日本, "quotes" \\ back\nslash',
          n: 1.5,
          big: 2 ** 53 - 1,
          flag: false,
          none: null,
          list: [1, 'two', { three: [3] }],
          nested: { deep: { deeper: { deepest: 'x' } } },
        };
        await store.put('binding', 'b:1/ä', value);
        value.nested.deep.deeper.deepest = 'changed after put';
        const read = await store.get<typeof value>('binding', 'b:1/ä');
        expect(read?.value.nested.deep.deeper.deepest).toBe('x');
        expect(read?.value).toEqual({ ...value, nested: { deep: { deeper: { deepest: 'x' } } } });
      });

      it('keeps kinds apart: the same id in two kinds is two records', async () => {
        const store = await fresh();
        await store.put('instance', 'same', { kind: 'instance' });
        await store.put('binding', 'same', { kind: 'binding' });
        await store.delete('instance', 'same');
        expect(await store.get('binding', 'same')).toEqual({ value: { kind: 'binding' }, version: 1 });
      });
    });

    describe('write conditions', () => {
      it('ifAbsent writes only when no record exists', async () => {
        const store = await fresh();
        expect(await store.put('instance', 'i', { n: 1 }, { ifAbsent: true })).toBe(1);
        await expect(store.put('instance', 'i', { n: 2 }, { ifAbsent: true })).rejects.toBeInstanceOf(
          StoreConflictError,
        );
        expect(await store.get('instance', 'i')).toEqual({ value: { n: 1 }, version: 1 });
        await store.delete('instance', 'i');
        expect(await store.put('instance', 'i', { n: 3 }, { ifAbsent: true })).toBe(1);
      });

      it('ifVersion writes only over that exact version', async () => {
        const store = await fresh();
        await expect(store.put('instance', 'i', { n: 0 }, { ifVersion: 1 })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.get('instance', 'i')).toBeUndefined();
        await store.put('instance', 'i', { n: 1 });
        expect(await store.put('instance', 'i', { n: 2 }, { ifVersion: 1 })).toBe(2);
        await expect(store.put('instance', 'i', { n: 3 }, { ifVersion: 1 })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.get('instance', 'i')).toEqual({ value: { n: 2 }, version: 2 });
      });

      it('delete with ifVersion removes only that version', async () => {
        const store = await fresh();
        await store.put('binding', 'b', { n: 1 });
        await store.put('binding', 'b', { n: 2 });
        await expect(store.delete('binding', 'b', { ifVersion: 1 })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.get('binding', 'b')).toEqual({ value: { n: 2 }, version: 2 });
        await store.delete('binding', 'b', { ifVersion: 2 });
        expect(await store.get('binding', 'b')).toBeUndefined();
        await expect(store.delete('binding', 'b', { ifVersion: 2 })).rejects.toBeInstanceOf(StoreConflictError);
      });

      it(`of ${WRITERS} concurrent ifVersion writers exactly one wins, the others get StoreConflictError`, async () => {
        const store = await fresh();
        await store.put('operation', 'op', { writer: -1 });
        const results = await Promise.allSettled(
          Array.from({ length: WRITERS }, (_, writer) => store.put('operation', 'op', { writer }, { ifVersion: 1 })),
        );
        const { won, lost, allLostByConflict } = outcomes(results);
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(WRITERS - 1);
        expect(allLostByConflict).toBe(true);
        const winner = results.findIndex((r) => r.status === 'fulfilled');
        expect(await store.get('operation', 'op')).toEqual({ value: { writer: winner }, version: 2 });
      });

      it(`of ${WRITERS} concurrent ifAbsent creators exactly one wins`, async () => {
        const store = await fresh();
        const results = await Promise.allSettled(
          Array.from({ length: WRITERS }, (_, writer) => store.put('instance', 'new', { writer }, { ifAbsent: true })),
        );
        const { won, allLostByConflict } = outcomes(results);
        expect(won).toHaveLength(1);
        expect(allLostByConflict).toBe(true);
        const winner = results.findIndex((r) => r.status === 'fulfilled');
        expect(await store.get('instance', 'new')).toEqual({ value: { writer: winner }, version: 1 });
      });

      it(`${WRITERS} concurrent unconditional writers each get their own version (no lost update)`, async () => {
        const store = await fresh();
        const versions = await Promise.all(
          Array.from({ length: WRITERS }, (_, writer) => store.put('catalog', 'c', { writer })),
        );
        expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 1));
        expect((await store.get('catalog', 'c'))?.version).toBe(WRITERS);
      });
    });

    describe('expiry', () => {
      it('a record with ttlMs reads as absent after it expires, and can be created again', async () => {
        const store = await fresh();
        await store.put('operation', 'op', { state: 'in progress' }, { ttlMs: TTL_MS });
        expect(await store.get('operation', 'op')).toEqual({ value: { state: 'in progress' }, version: 1 });
        await sleep(PAST_TTL_MS);
        expect(await store.get('operation', 'op')).toBeUndefined();
        expect(await store.list('operation')).toEqual([]);
        await expect(store.put('operation', 'op', { n: 1 }, { ifVersion: 1 })).rejects.toBeInstanceOf(
          StoreConflictError,
        );
        await expect(store.delete('operation', 'op', { ifVersion: 1 })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.put('operation', 'op', { state: 'new' }, { ifAbsent: true })).toBe(1);
      });

      it('an unconditional put over an expired record starts again at version 1', async () => {
        const store = await fresh();
        await store.put('instance', 'i', { n: 1 });
        await store.put('instance', 'i', { n: 2 }, { ttlMs: TTL_MS });
        await sleep(PAST_TTL_MS);
        expect(await store.put('instance', 'i', { n: 3 })).toBe(1);
      });

      it('a put without ttlMs makes the record permanent again', async () => {
        const store = await fresh();
        await store.put('instance', 'i', { n: 1 }, { ttlMs: TTL_MS });
        expect(await store.put('instance', 'i', { n: 2 }, { ifVersion: 1 })).toBe(2);
        await sleep(PAST_TTL_MS);
        expect(await store.get('instance', 'i')).toEqual({ value: { n: 2 }, version: 2 });
      });

      it('tombstones (deleted records kept with a TTL) answer until they expire', async () => {
        const store = await fresh();
        await store.put('instance', 'gone', { state: 'provisioned' });
        await store.put('instance', 'gone', { state: 'deleted' }, { ifVersion: 1, ttlMs: TTL_MS });
        await store.put('instance', 'alive', { state: 'provisioned' });
        expect(await store.get('instance', 'gone')).toEqual({ value: { state: 'deleted' }, version: 2 });
        expect((await store.list('instance')).map((r) => r.id).sort()).toEqual(['alive', 'gone']);
        await sleep(PAST_TTL_MS);
        expect(await store.get('instance', 'gone')).toBeUndefined();
        expect((await store.list('instance')).map((r) => r.id)).toEqual(['alive']);
        expect(await store.put('instance', 'gone', { state: 'provisioning' }, { ifAbsent: true })).toBe(1);
      });
    });

    describe('list', () => {
      it('lists every live record of one kind with its version, nothing of other kinds or deleted', async () => {
        const store = await fresh();
        expect(await store.list('operation')).toEqual([]);
        for (let i = 0; i < 30; i++) await store.put('operation', `op-${i}`, { i });
        await store.put('operation', 'op-0', { i: 0, attempts: 2 });
        await store.delete('operation', 'op-1');
        await store.put('instance', 'op-2', { other: true });
        const listed = await store.list<{ i: number }>('operation');
        const byId = new Map(listed.map((r) => [r.id, r]));
        expect(listed).toHaveLength(29);
        expect(byId.has('op-1')).toBe(false);
        expect(byId.get('op-0')).toEqual({ id: 'op-0', value: { i: 0, attempts: 2 }, version: 2 });
        expect(byId.get('op-29')).toEqual({ id: 'op-29', value: { i: 29 }, version: 1 });
        expect(await store.list('binding')).toEqual([]);
      });

      it('with idPrefix lists only the ids that start with it (the bindings of one instance)', async () => {
        const store = await fresh();
        await store.put('binding', 'inst-1/b-1', { instanceId: 'inst-1' });
        await store.put('binding', 'inst-1/b-2', { instanceId: 'inst-1' });
        await store.put('binding', 'inst-10/b-1', { instanceId: 'inst-10' });
        await store.put('binding', 'other/inst-1/b-3', { instanceId: 'other' });
        await store.put('instance', 'inst-1/x', { not: 'a binding' });
        const listed = await store.list<{ instanceId: string }>('binding', { idPrefix: 'inst-1/' });
        expect(listed.map((r) => r.id).sort()).toEqual(['inst-1/b-1', 'inst-1/b-2']);
        expect(listed.find((r) => r.id === 'inst-1/b-2')).toEqual({
          id: 'inst-1/b-2',
          value: { instanceId: 'inst-1' },
          version: 1,
        });
        expect(await store.list('binding', { idPrefix: 'nothing/' })).toEqual([]);
        expect(await store.list('binding', { idPrefix: '' })).toHaveLength(4);
      });
    });

    describe('leases', () => {
      it('are exclusive, renewed by their owner, and released only by their owner', async () => {
        const store = await fresh();
        expect(await store.acquireLease('instance:i', 'replica-a', 5000)).toBe(true);
        expect(await store.acquireLease('instance:i', 'replica-b', 5000)).toBe(false);
        expect(await store.acquireLease('instance:i', 'replica-a', 5000)).toBe(true);
        await store.releaseLease('instance:i', 'replica-b');
        expect(await store.acquireLease('instance:i', 'replica-b', 5000)).toBe(false);
        expect(await store.acquireLease('instance:other', 'replica-b', 5000)).toBe(true);
        await store.releaseLease('instance:i', 'replica-a');
        expect(await store.acquireLease('instance:i', 'replica-b', 5000)).toBe(true);
        await store.releaseLease('never-held', 'replica-a');
      });

      it("a crashed holder's lease expires; renewal by the owner pushes the expiry out", async () => {
        const store = await fresh();
        expect(await store.acquireLease('op', 'crashed', TTL_MS)).toBe(true);
        expect(await store.acquireLease('renewed', 'owner', TTL_MS)).toBe(true);
        await sleep(TTL_MS / 2);
        expect(await store.acquireLease('renewed', 'owner', 5000)).toBe(true);
        await sleep(PAST_TTL_MS);
        expect(await store.acquireLease('op', 'successor', 5000)).toBe(true);
        expect(await store.acquireLease('renewed', 'successor', 5000)).toBe(false);
      });

      it(`of ${WRITERS} replicas racing for one lease exactly one gets it`, async () => {
        const store = await fresh();
        const got = await Promise.all(
          Array.from({ length: WRITERS }, (_, i) => store.acquireLease('contended', `replica-${i}`, 5000)),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
      });

      it('do not touch records of the same name', async () => {
        const store = await fresh();
        await store.put('instance', 'x', { n: 1 });
        expect(await store.acquireLease('x', 'owner', 5000)).toBe(true);
        await store.releaseLease('x', 'owner');
        expect(await store.get('instance', 'x')).toEqual({ value: { n: 1 }, version: 1 });
        expect((await store.list('instance')).map((r) => r.id)).toEqual(['x']);
      });
    });

    describe('lifecycle', () => {
      it('pings, and closes (twice is harmless)', async () => {
        const store = await fresh();
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}

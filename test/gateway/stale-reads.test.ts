import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { RecordKind, StoredRecord } from '../../src/state/store.ts';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, upstreamBackend } from '../support/harness.ts';

/**
 * A store whose next reads of one record answer what an unordered store (DynamoDB's separate requests) can:
 * the record as it was before its latest write.
 */
class StaleOnceStore extends MemoryStore {
  private stale: { kind: RecordKind; id: string; answer: StoredRecord<unknown> | undefined; reads: number } | undefined;

  answerNextReadWith(kind: RecordKind, id: string, answer: StoredRecord<unknown> | undefined, reads = 1): void {
    this.stale = { kind, id, answer, reads };
  }

  override async get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined> {
    const stale = this.stale;
    if (stale !== undefined && stale.kind === kind && stale.id === id) {
      stale.reads -= 1;
      if (stale.reads === 0) this.stale = undefined;
      return stale.answer as StoredRecord<T> | undefined;
    }
    return super.get<T>(kind, id);
  }
}

const ids = { service_id: 'up.svc-postgres', plan_id: 'up.plan-small' };
const provisionBody = { ...ids, organization_guid: 'org', space_guid: 'space' };

describe('a stale read under the lease', () => {
  let upstream: UpstreamBroker;
  let harness: Harness;
  let store: StaleOnceStore;
  beforeAll(async () => {
    upstream = await startUpstreamBroker({ mode: 'sync' });
    store = new StaleOnceStore();
    harness = await startHarness({
      backends: [upstreamBackend(upstream.url)],
      store,
    });
  });
  afterAll(async () => {
    await harness?.close();
    await upstream?.stop();
  });

  it('a repeated PUT that read "absent" is answered 200 from the fresh record, without a second backend call', async () => {
    const path = '/v2/service_instances/stale-put';
    expect((await harness.client.raw({ method: 'PUT', path, body: provisionBody })).status).toBe(201);
    const provisions = upstream.calls.provision;
    store.answerNextReadWith('instance', 'stale-put', undefined);
    const again = await harness.client.raw({ method: 'PUT', path, body: provisionBody });
    expect(again.status).toBe(200);
    expect(upstream.calls.provision).toBe(provisions);
  });

  it('a DELETE that read an older version deprovisions after reading again', async () => {
    const path = '/v2/service_instances/stale-delete';
    expect((await harness.client.raw({ method: 'PUT', path, body: provisionBody })).status).toBe(201);
    const current = await store.get('instance', 'stale-delete');
    if (current === undefined) throw new Error('no record');
    store.answerNextReadWith('instance', 'stale-delete', { value: current.value, version: current.version - 1 });
    const query = new URLSearchParams(ids).toString();
    const deleted = await harness.client.raw({ method: 'DELETE', path: `${path}?${query}` });
    expect(deleted.status).toBe(200);
    expect((await store.get<{ status: string }>('instance', 'stale-delete'))?.value.status).toBe('deleted');
  });

  it('a PATCH whose reads were both stale is a 422 ConcurrencyError, as any conflicting write, not a 500', async () => {
    const path = '/v2/service_instances/stale-patch';
    expect((await harness.client.raw({ method: 'PUT', path, body: provisionBody })).status).toBe(201);
    const current = await store.get('instance', 'stale-patch');
    if (current === undefined) throw new Error('no record');
    store.answerNextReadWith('instance', 'stale-patch', { value: current.value, version: current.version - 1 }, 2);
    const patched = await harness.client.raw({ method: 'PATCH', path, body: { ...ids, parameters: { size: 2 } } });
    expect(patched.status).toBe(422);
    expect(patched.body.error).toBe('ConcurrencyError');
  });
});

import { KeyRing } from '../../state/key-ring.ts';
import { type StateStore, StoreConflictError } from '../../state/store.ts';
import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { createProgress } from '../progress.ts';
import { resealRecord, resourceName, type SealedRecord } from '../reseal-record.ts';
import { withStore } from '../with-store.ts';

const KINDS = ['instance', 'binding'] as const;
const MAX_RACES = 5;

interface Tally {
  rewritten: number;
  fields: number;
  current: number;
  failures: string[];
}

/** Re-seals one record; a broker writing the same record meanwhile makes it re-read and try again. */
async function rotateRecord(
  store: StateStore,
  keyRing: KeyRing,
  kind: (typeof KINDS)[number],
  id: string,
  tombstoneTtlMs: number,
): Promise<number> {
  for (let race = 0; race < MAX_RACES; race += 1) {
    const current = await store.get<SealedRecord>(kind, id);
    if (current === undefined) return 0;
    const { record, fields } = resealRecord(keyRing, resourceName(kind, id), current.value);
    if (fields === 0) return 0;
    // A tombstone keeps the rest of its lifetime; a plain put would make it permanent.
    const ttl =
      record.status === 'deleted' ? { ttlMs: Math.max(1000, record.updatedAt + tombstoneTtlMs - Date.now()) } : {};
    try {
      await store.put(kind, id, record, { ifVersion: current.version, ...ttl });
      return fields;
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
    }
  }
  throw new Error(`kept racing with the broker after ${MAX_RACES} attempts; run rotate-keys again`);
}

export const rotateKeysCommand: CliCommand = {
  name: 'rotate-keys',
  summary: 're-encrypt every stored secret with the first key in encryption.keys',
  usage: `omnibroker rotate-keys [--config FILE]

Key rotation: put the new key first in encryption.keys (keep the old ones after it), roll out the config,
then run rotate-keys. It re-encrypts every sealed field (secret parameters, backend secrets, binding
credentials, pending update parameters) of every instance and binding record with the first key, writing
each record only if nobody changed it meanwhile. Afterwards the old keys can be removed from the config.
Safe to run again; records already on the first key are left alone. Progress goes to stderr.
Exit codes: 0 every record is on the first key, 1 some record could not be re-encrypted, 2 bad arguments or config.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {});
    const loaded = loadCliConfig(values.config as string | undefined);
    const keyRing = new KeyRing(loaded.config.encryption.keys);
    const tally: Tally = { rewritten: 0, fields: 0, current: 0, failures: [] };
    await withStore(loaded, async (store) => {
      for (const kind of KINDS) {
        const records = await store.list<SealedRecord>(kind);
        const progress = createProgress(`rotate-keys: ${kind} records`, records.length);
        for (const { id } of records) {
          try {
            const fields = await rotateRecord(store, keyRing, kind, id, loaded.config.operations.tombstoneTtlMs);
            if (fields === 0) tally.current += 1;
            else {
              tally.rewritten += 1;
              tally.fields += fields;
            }
          } catch (error) {
            tally.failures.push(`${resourceName(kind, id)}: ${(error as Error).message}`);
          }
          progress.tick();
        }
      }
    });
    process.stdout.write(
      `rotate-keys: ${tally.rewritten} records re-encrypted (${tally.fields} fields) with key "${keyRing.primaryId}", ` +
        `${tally.current} already on it, ${tally.failures.length} failed\n`,
    );
    if (tally.failures.length === 0) return 0;
    process.stderr.write(
      `${tally.failures.map((f) => `  ${f}`).join('\n')}\n` +
        'fix: a key named above must stay in encryption.keys (after the first one) until rotate-keys succeeds\n',
    );
    return 1;
  },
};

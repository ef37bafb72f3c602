import type { BindingRecord, InstanceRecord } from '../broker/records.ts';
import { aad } from '../broker/sealing.ts';
import type { KeyRing, Sealed } from '../state/key-ring.ts';

export type SealedRecord = InstanceRecord | BindingRecord;

/** Associated data names as the broker seals them (src/broker/instances.ts, bindings.ts). */
export const resourceName = (kind: 'instance' | 'binding', id: string): string => `${kind}:${id}`;

/**
 * The record with every sealed field re-encrypted under the primary key, and how many fields changed.
 * Throws KeyRingError when a field is sealed with a key the ring does not have.
 */
export function resealRecord<R extends SealedRecord>(
  keyRing: KeyRing,
  resource: string,
  record: R,
): { record: R; fields: number } {
  let fields = 0;
  const reseal = (sealed: Sealed | undefined, field: string): Sealed | undefined => {
    if (sealed === undefined) return undefined;
    const next = keyRing.reseal(sealed, aad(resource, field));
    if (next === undefined) return undefined;
    fields += 1;
    return next;
  };
  const next: R = { ...record };
  const parameters = reseal(record.sealedParameters, 'parameters');
  if (parameters !== undefined) next.sealedParameters = parameters;
  const secrets = reseal(record.sealedSecrets, 'secrets');
  if (secrets !== undefined) next.sealedSecrets = secrets;
  if ('sealedCredentials' in record) {
    const credentials = reseal(record.sealedCredentials, 'credentials');
    if (credentials !== undefined) (next as BindingRecord).sealedCredentials = credentials;
  }
  const target = record.op.target;
  const targetParameters = reseal(target?.sealedParameters, 'target');
  if (target !== undefined && targetParameters !== undefined) {
    next.op = { ...record.op, target: { ...target, sealedParameters: targetParameters } };
  }
  return { record: next, fields };
}

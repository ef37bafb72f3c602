import type { BindingView, InstanceView, JsonObject } from '../plugin-api/index.ts';
import type { KeyRing, Sealed } from '../state/key-ring.ts';
import type { BindingRecord, InstanceRecord } from './records.ts';

/** Associated data binds each ciphertext to its record and field: a copy pasted elsewhere fails to open. */
export const aad = (record: string, field: string): string => `${record}#${field}`;

export function splitSecret(
  parameters: JsonObject,
  secretNames: ReadonlySet<string>,
): { plain: JsonObject; secret: JsonObject } {
  const plain: JsonObject = {};
  const secret: JsonObject = {};
  for (const [key, value] of Object.entries(parameters)) (secretNames.has(key) ? secret : plain)[key] = value;
  return { plain, secret };
}

export function sealOptional(
  keyRing: KeyRing,
  value: JsonObject | undefined,
  associatedData: string,
): Sealed | undefined {
  if (value === undefined || Object.keys(value).length === 0) return undefined;
  return keyRing.seal(value, associatedData);
}

export function openOptional(keyRing: KeyRing, sealed: Sealed | undefined, associatedData: string): JsonObject {
  return sealed === undefined ? {} : keyRing.open<JsonObject>(sealed, associatedData);
}

/**
 * What the backend sees of an instance. Status polls pass `withSecrets: false` so that read paths
 * returning no credentials decrypt nothing.
 */
export function instanceView(keyRing: KeyRing, record: InstanceRecord, withSecrets: boolean): InstanceView {
  const id = `instance:${record.id}`;
  return {
    id: record.id,
    serviceId: record.upstreamServiceId,
    planId: record.upstreamPlanId,
    parameters: withSecrets
      ? { ...record.parameters, ...openOptional(keyRing, record.sealedParameters, aad(id, 'parameters')) }
      : record.parameters,
    context: record.context,
    data: record.data,
    secrets: withSecrets ? openOptional(keyRing, record.sealedSecrets, aad(id, 'secrets')) : {},
  };
}

export function bindingView(keyRing: KeyRing, record: BindingRecord, withSecrets: boolean): BindingView {
  const id = `binding:${record.id}`;
  return {
    id: record.bindingId,
    instanceId: record.instanceId,
    parameters: withSecrets
      ? { ...record.parameters, ...openOptional(keyRing, record.sealedParameters, aad(id, 'parameters')) }
      : record.parameters,
    data: record.data,
    secrets: withSecrets ? openOptional(keyRing, record.sealedSecrets, aad(id, 'secrets')) : {},
  };
}

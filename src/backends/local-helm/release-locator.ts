import { derivedName, errors, type InstanceView, type JsonObject } from '../../plugin-api/index.ts';

/** Which release an instance is, and where: everything a later call (on any replica) needs. */
export interface ReleaseLocation {
  release: string;
  namespace: string;
  chart: string;
}

export interface OperationToken extends ReleaseLocation {
  op: 'provision' | 'update' | 'deprovision';
  chartVersion?: string;
}

/** DNS-1123 and well under Helm's 53-character limit; stable per instance id so a repeated provision finds it. */
export const releaseNameFor = (instanceId: string) => derivedName('ob-', instanceId);

export function namespaceFrom(context: JsonObject, fallback: string): string {
  return typeof context.namespace === 'string' && context.namespace !== '' ? context.namespace : fallback;
}

export function locate(instance: InstanceView, defaultNamespace: string): ReleaseLocation {
  const { data } = instance;
  return {
    release: typeof data.release === 'string' ? data.release : releaseNameFor(instance.id),
    namespace: typeof data.namespace === 'string' ? data.namespace : namespaceFrom(instance.context, defaultNamespace),
    chart: instance.serviceId,
  };
}

export const encodeToken = (token: OperationToken) => JSON.stringify(token);

export function decodeToken(operation: string): OperationToken {
  try {
    const token = JSON.parse(operation) as OperationToken;
    if (typeof token.release === 'string' && typeof token.namespace === 'string') return token;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest(`not an operation of the local-helm backend: ${operation.slice(0, 100)}`);
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A Kubernetes label value for an OSB id (any string): the id itself when it is one, else its hash. */
export const labelValueFor = (id: string) => (LABEL_VALUE.test(id) ? id : derivedName('', id, 32));

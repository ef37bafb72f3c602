import { errors } from '../../plugin-api/index.ts';

/** What the broker stores for an upstream async operation: enough to poll it from any replica. */
export interface UpstreamOperation {
  /** The upstream's `operation` value; absent when its 202 carried none. */
  operation?: string;
  /** Started by a bind/unbind (polled at the binding's last_operation) rather than on the instance. */
  binding: boolean;
}

export function encodeOperation(operation: unknown, binding: boolean): string {
  return JSON.stringify(typeof operation === 'string' && operation !== '' ? { operation, binding } : { binding });
}

export function decodeOperation(token: string, expectBinding: boolean): UpstreamOperation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(token);
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as { operation?: unknown; binding?: unknown } | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.binding !== 'boolean') {
    throw errors.internal(`operation token ${token.slice(0, 100)} was not issued by the osb backend`);
  }
  if (candidate.binding !== expectBinding) {
    const where = candidate.binding ? 'a binding' : 'an instance';
    throw errors.internal(`operation token belongs to ${where} operation and cannot be polled here`);
  }
  return typeof candidate.operation === 'string'
    ? { operation: candidate.operation, binding: candidate.binding }
    : { binding: candidate.binding };
}

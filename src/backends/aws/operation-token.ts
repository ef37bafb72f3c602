import { errors } from '../../plugin-api/index.ts';
import type { StackOperationKind } from './stack-status.ts';

/** Everything `lastOperation` needs on any replica: which operation, on which stack (by id), with which token. */
export interface StackOperation {
  kind: StackOperationKind;
  stackId: string;
  requestToken: string;
}

export function encodeOperation(operation: StackOperation): string {
  return JSON.stringify({ k: operation.kind, s: operation.stackId, t: operation.requestToken });
}

export function decodeOperation(token: string): StackOperation {
  try {
    const parsed = JSON.parse(token) as { k?: unknown; s?: unknown; t?: unknown };
    if (
      (parsed.k === 'create' || parsed.k === 'update' || parsed.k === 'delete') &&
      typeof parsed.s === 'string' &&
      typeof parsed.t === 'string'
    ) {
      return { kind: parsed.k, stackId: parsed.s, requestToken: parsed.t };
    }
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest(`not an operation of the aws backend: ${token.slice(0, 100)}`);
}

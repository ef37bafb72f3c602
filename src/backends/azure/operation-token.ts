import { errors } from '../../plugin-api/index.ts';
import type { FirewallRuleSpec } from './server-parameters.ts';

/** One Azure long-running operation (or, for `await-parent`, a wait on another instance's server). */
export type Step =
  | { op: 'create-server'; server: string }
  | { op: 'update-server'; server: string }
  | { op: 'delete-server'; server: string }
  | { op: 'create-firewall-rule'; server: string; rule: FirewallRuleSpec }
  | { op: 'create-database'; server: string; database: string }
  | { op: 'delete-database'; server: string; database: string }
  | { op: 'await-parent'; server: string };

/**
 * Everything needed to resume an operation on any replica after any restart: the step now running with
 * its serialized `@azure/core-lro` poller state (polling URLs only, never a password) and the steps after it.
 */
export interface OperationToken {
  v: 1;
  step: Step;
  poller?: string;
  next: Step[];
}

export function encodeToken(token: OperationToken): string {
  return JSON.stringify(token);
}

export function decodeToken(operation: string): OperationToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(operation);
  } catch {
    throw errors.badRequest('operation is not one this backend issued');
  }
  const token = parsed as Partial<OperationToken>;
  if (token.v !== 1 || typeof token.step?.op !== 'string' || !Array.isArray(token.next)) {
    throw errors.badRequest('operation is not one this backend issued');
  }
  return token as OperationToken;
}

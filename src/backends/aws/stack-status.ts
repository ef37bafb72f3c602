import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { OperationState } from '../../plugin-api/index.ts';

export type StackOperationKind = 'create' | 'update' | 'delete';

const SUCCESS: Record<StackOperationKind, ReadonlySet<string>> = {
  create: new Set(['CREATE_COMPLETE']),
  update: new Set(['UPDATE_COMPLETE']),
  delete: new Set(['DELETE_COMPLETE']),
};

const FAILURE: Record<StackOperationKind, ReadonlySet<string>> = {
  create: new Set(['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED']),
  update: new Set(['UPDATE_FAILED', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED']),
  delete: new Set(['DELETE_FAILED']),
};

/** Where an operation of `kind` stands, judged by the stack status (absent stack = deleted). */
export function operationState(kind: StackOperationKind, stack: Stack | undefined): OperationState {
  if (stack === undefined) return kind === 'delete' ? 'succeeded' : 'failed';
  const status = stack.StackStatus ?? '';
  if (SUCCESS[kind].has(status)) return 'succeeded';
  if (FAILURE[kind].has(status)) return 'failed';
  return 'in progress';
}

// Resources CloudFormation gave up on because another one failed first: not the cause.
const CONSEQUENTIAL_REASONS = /^Resource (creation|update) cancelled|^Resource creation Initiated/;

/**
 * The failing resources' own reasons (ResourceStatusReason), oldest first, for the events of one operation.
 * Falls back to the stack's StackStatusReason when no resource says more.
 */
export function failureDescription(stack: Stack | undefined, events: StackEvent[]): string {
  const stackName = stack?.StackName ?? 'stack';
  const status = stack?.StackStatus ?? 'missing';
  const causes = events
    .filter((e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceType !== 'AWS::CloudFormation::Stack')
    .filter((e) => !CONSEQUENTIAL_REASONS.test(e.ResourceStatusReason ?? ''))
    .sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0))
    .map(
      (e) =>
        `${e.LogicalResourceId} (${e.ResourceType}) ${e.ResourceStatus}: ${e.ResourceStatusReason ?? 'no reason given'}`,
    );
  const unique = [...new Set(causes)];
  if (unique.length > 0) return `CloudFormation stack ${stackName} is ${status}: ${unique.join('; ')}`;
  const reason = stack?.StackStatusReason;
  return `CloudFormation stack ${stackName} is ${status}${reason === undefined ? '' : `: ${reason}`}`;
}

import type { BindingRecord, InstanceRecord } from '../broker/records.ts';

/** `ready`, or `creating (provision in progress, 3 attempts)`: the record's status and its latest operation. */
export function describeState(record: InstanceRecord | BindingRecord): string {
  const { op } = record;
  if (op.state === 'succeeded' && !['creating', 'updating', 'deleting'].includes(record.status)) return record.status;
  const attempts = op.attempts > 1 ? `, ${op.attempts} attempts` : '';
  return `${record.status} (${op.kind} ${op.state}${attempts})`;
}

export const byCreation = (a: { value: { createdAt: number } }, b: { value: { createdAt: number } }) =>
  a.value.createdAt - b.value.createdAt;

import type { BindingRecord, InstanceRecord, OperationRecord } from '../../broker/records.ts';
import { formatAge } from '../age.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { publicView } from '../public-view.ts';
import { byCreation, describeState } from '../record-state.ts';
import { textTable } from '../text-table.ts';
import { withStore } from '../with-store.ts';

function operationLines(op: OperationRecord): string[] {
  const lines = [
    `  id:          ${op.id}`,
    `  kind:        ${op.kind}`,
    `  state:       ${op.state}${op.description === undefined ? '' : ` (${op.description})`}`,
    `  started:     ${new Date(op.startedAt).toISOString()} (${formatAge(op.startedAt)} ago)`,
    `  deadline:    ${new Date(op.deadline).toISOString()}`,
    `  attempts:    ${op.attempts}`,
  ];
  if (op.backendToken !== undefined) lines.push('  backend token: kept (the broker polls the backend with it)');
  if (op.retryable === true) lines.push('  retryable:   yes (an identical request from the platform retries it)');
  return lines;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show one instance: its record, latest operation and bindings',
  usage: `omnibroker status <instance-id> [--config FILE] [--json]

Prints what the store holds about one service instance: backend, service, plan, state, the latest
operation (kind, state, attempts, deadline) and its bindings. Secrets are never printed.
Exit codes: 0 shown, 1 no such instance or the store failed, 2 bad arguments or config.`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    const [instanceId, ...extra] = positionals;
    if (instanceId === undefined || extra.length > 0) throw new UsageError('give exactly one instance id');
    const loaded = loadCliConfig(values.config as string | undefined);
    const found = await withStore(loaded, async (store) => {
      const instance = await store.get<InstanceRecord>('instance', instanceId);
      const bindings = (await store.list<BindingRecord>('binding'))
        .filter((b) => b.value.instanceId === instanceId)
        .sort(byCreation);
      return { instance, bindings };
    });
    if (found.instance === undefined) {
      process.stderr.write(
        `omnibroker status: no service instance "${instanceId}" in the store (run \`omnibroker instances\`)\n`,
      );
      return 1;
    }
    const record = found.instance.value;
    if (values.json === true) {
      const view = { instance: record, version: found.instance.version, bindings: found.bindings.map((b) => b.value) };
      process.stdout.write(`${JSON.stringify(publicView(view), null, 2)}\n`);
      return 0;
    }
    const lines = [
      `instance ${record.id}`,
      `  backend:     ${record.backend}`,
      `  service:     ${record.serviceId} (backend's own: ${record.upstreamServiceId})`,
      `  plan:        ${record.planId} (backend's own: ${record.upstreamPlanId})`,
      `  state:       ${describeState(record)}`,
      `  created:     ${new Date(record.createdAt).toISOString()} (${formatAge(record.createdAt)} ago)`,
      `  updated:     ${new Date(record.updatedAt).toISOString()}`,
      `  version:     ${found.instance.version}`,
    ];
    if (record.dashboardUrl !== undefined) lines.push(`  dashboard:   ${record.dashboardUrl}`);
    if (record.pendingDelete !== undefined)
      lines.push(`  pending delete: operation ${record.pendingDelete.operationId}`);
    lines.push('latest operation', ...operationLines(record.op));
    if (found.bindings.length === 0) lines.push('bindings: none');
    else {
      const rows = found.bindings.map(({ value: b }) => [
        b.bindingId,
        b.appGuid ?? '',
        describeState(b),
        formatAge(b.createdAt),
      ]);
      lines.push(`bindings: ${found.bindings.length}`, textTable(['binding', 'app', 'state', 'age'], rows));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

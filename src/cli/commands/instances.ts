import type { InstanceRecord } from '../../broker/records.ts';
import { formatAge } from '../age.ts';
import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { byCreation, describeState } from '../record-state.ts';
import { printRecords } from '../print-records.ts';
import { withStore } from '../with-store.ts';

export const instancesCommand: CliCommand = {
  name: 'instances',
  summary: 'list service instances in the store (state, backend, age)',
  usage: `omnibroker instances [--config FILE] [--all] [--json]

Lists the service instance records of the configured store, oldest first: id, backend, service and plan,
state (with the latest operation when it is not simply done) and age. Deleted instances still remembered
as tombstones are shown with --all. --json prints the records with every encrypted field masked.
Exit codes: 0 listed, 1 the store failed, 2 bad arguments or config.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { all: { type: 'boolean' }, json: { type: 'boolean' } });
    const loaded = loadCliConfig(values.config as string | undefined);
    const records = await withStore(loaded, (store) => store.list<InstanceRecord>('instance'));
    const shown = records.filter((r) => values.all === true || r.value.status !== 'deleted').sort(byCreation);
    printRecords(
      shown.map((r) => r.value),
      values.json === true,
      {
        noun: 'service instances',
        headers: ['instance', 'backend', 'service', 'plan', 'state', 'age'],
        row: (r) => [r.id, r.backend, r.serviceId, r.planId, describeState(r), formatAge(r.createdAt)],
      },
    );
    return 0;
  },
};

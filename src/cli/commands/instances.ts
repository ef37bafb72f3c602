import type { InstanceRecord } from '../../broker/records.ts';
import { formatAge } from '../age.ts';
import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { byCreation, describeState } from '../record-state.ts';
import { textTable } from '../text-table.ts';
import { withStore } from '../with-store.ts';
import { publicView } from '../public-view.ts';

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
    if (values.json === true) {
      process.stdout.write(
        `${JSON.stringify(
          shown.map((r) => publicView(r.value)),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (shown.length === 0) {
      process.stdout.write('no service instances\n');
      return 0;
    }
    const rows = shown.map(({ value: r }) => [
      r.id,
      r.backend,
      r.serviceId,
      r.planId,
      describeState(r),
      formatAge(r.createdAt),
    ]);
    process.stdout.write(`${textTable(['instance', 'backend', 'service', 'plan', 'state', 'age'], rows)}\n`);
    return 0;
  },
};

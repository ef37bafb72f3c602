import type { BindingRecord } from '../../broker/records.ts';
import { formatAge } from '../age.ts';
import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { byCreation, describeState } from '../record-state.ts';
import { printRecords } from '../print-records.ts';
import { withStore } from '../with-store.ts';

export const bindingsCommand: CliCommand = {
  name: 'bindings',
  summary: 'list service bindings in the store (state, backend, age)',
  usage: `omnibroker bindings [--config FILE] [--instance ID] [--all] [--json]

Lists the service binding records of the configured store, oldest first: instance, binding, backend, app,
state and age. --instance shows the bindings of one instance; --all includes deleted ones (tombstones).
Credentials are never printed; --json prints the records with every encrypted field masked.
Exit codes: 0 listed, 1 the store failed, 2 bad arguments or config.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      instance: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const loaded = loadCliConfig(values.config as string | undefined);
    const records = await withStore(loaded, (store) => store.list<BindingRecord>('binding'));
    const shown = records
      .filter((r) => values.all === true || r.value.status !== 'deleted')
      .filter((r) => values.instance === undefined || r.value.instanceId === values.instance)
      .sort(byCreation);
    printRecords(
      shown.map((r) => r.value),
      values.json === true,
      {
        noun: 'service bindings',
        headers: ['instance', 'binding', 'backend', 'app', 'state', 'age'],
        row: (r) => [r.instanceId, r.bindingId, r.backend, r.appGuid ?? '', describeState(r), formatAge(r.createdAt)],
      },
    );
    return 0;
  },
};

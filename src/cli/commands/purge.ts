import { randomUUID } from 'node:crypto';
import { type BindingRecord, type InstanceRecord, openOperationKey } from '../../broker/records.ts';
import { KeyRing } from '../../state/key-ring.ts';
import type { StateStore } from '../../state/store.ts';
import { writeAuditLine } from '../audit-line.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { confirmGone } from '../confirm-gone.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import type { LoadedConfig } from '../../config/load-config.ts';
import { openBackends } from '../open-runtime.ts';
import { resourceName } from '../reseal-record.ts';
import { withStore } from '../with-store.ts';

const say = (line: string) => process.stderr.write(`purge: ${line}\n`);

async function askBackend(
  loaded: LoadedConfig,
  instance: InstanceRecord,
  bindings: BindingRecord[],
  timeoutMs: number,
): Promise<string | undefined> {
  const backends = await openBackends(loaded);
  try {
    const backend = backends.find((b) => b.name === instance.backend);
    if (backend === undefined) {
      return `backend "${instance.backend}" is no longer configured, so nobody can confirm the resource is gone`;
    }
    say(`asking backend "${backend.name}" to delete instance ${instance.id} and ${bindings.length} binding(s) ...`);
    await confirmGone(instance, bindings, {
      keyRing: new KeyRing(loaded.config.encryption.keys),
      backend,
      timeoutMs,
      report: say,
    });
    return undefined;
  } catch (error) {
    return `the backend did not confirm the resource is gone: ${(error as Error).message}`;
  } finally {
    await Promise.allSettled(backends.map((b) => b.close()));
  }
}

async function removeRecords(store: StateStore, instance: InstanceRecord, bindings: BindingRecord[]): Promise<void> {
  for (const binding of bindings) {
    await store.delete('binding', binding.id);
    await store.delete('operation', openOperationKey('binding', binding.id));
  }
  await store.delete('instance', instance.id);
  await store.delete('operation', openOperationKey('instance', instance.id));
}

export const purgeCommand: CliCommand = {
  name: 'purge',
  summary: 'remove a stuck instance record and its bindings once the backend confirms they are gone',
  usage: `omnibroker purge <instance-id> [--config FILE] [--force] [--timeout SECONDS]

For an instance the platform can no longer delete (stuck operation, backend lost its resource): asks the
instance's backend to delete each binding and the instance (the calls the broker would make, waiting up to
--timeout seconds, default 300, for asynchronous ones), and removes the records from the store only when the
backend confirms everything is gone. --force removes the records without asking: use it only when you have
deleted the resource by hand or the backend is gone for good, or you leave an orphan that costs money.
Each purge writes an audit line (JSON, stderr) naming $USER, the instance and whether it was forced.
Exit codes: 0 purged, 1 not purged (the reason is printed), 2 bad arguments or config.`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      force: { type: 'boolean' },
      timeout: { type: 'string' },
    });
    const [instanceId, ...extra] = positionals;
    if (instanceId === undefined || extra.length > 0) throw new UsageError('give exactly one instance id');
    const timeoutSeconds = Number(values.timeout ?? 300);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw new UsageError('--timeout: give a number of seconds, e.g. --timeout 600');
    }
    const force = values.force === true;
    const loaded = loadCliConfig(values.config as string | undefined);
    return withStore(loaded, async (store) => {
      const found = await store.get<InstanceRecord>('instance', instanceId);
      if (found === undefined) {
        say(`no service instance "${instanceId}" in the store (run \`omnibroker instances --all\`)`);
        return 1;
      }
      const instance = found.value;
      const bindings = (await store.list<BindingRecord>('binding'))
        .map((b) => b.value)
        .filter((b) => b.instanceId === instanceId);
      const lease = resourceName('instance', instanceId);
      const owner = randomUUID();
      if (!(await store.acquireLease(lease, owner, loaded.config.operations.leaseTtlMs))) {
        say(
          `a broker is changing instance ${instanceId} right now; wait for it (omnibroker status ${instanceId}) and retry`,
        );
        return 1;
      }
      try {
        const live = bindings.filter((b) => b.status !== 'deleted');
        const refusal = force ? undefined : await askBackend(loaded, instance, live, timeoutSeconds * 1000);
        if (refusal !== undefined) {
          say(`not purged: ${refusal}`);
          say('fix the cause and retry, or delete the resource by hand and run purge again with --force');
          return 1;
        }
        await removeRecords(store, instance, bindings);
      } finally {
        await store.releaseLease(lease, owner).catch(() => undefined);
      }
      writeAuditLine('purge', {
        instance: instanceId,
        backend: instance.backend,
        bindings: bindings.map((b) => b.bindingId),
        forced: force,
        result: 'purged',
      });
      process.stdout.write(
        `purge: removed instance ${instanceId} and ${bindings.length} binding record(s)${force ? ' (forced: the backend was not asked)' : ''}\n`,
      );
      return 0;
    });
  },
};

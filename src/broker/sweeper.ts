import type { BrokerDeps } from './broker-deps.ts';
import type { Lifecycle, LifecycleRecord, ResourceSpec } from './lifecycle.ts';
import type { OpenOperation } from './records.ts';
import { openOperationKey } from './records.ts';

/**
 * Finishes work nobody polls: every replica periodically walks the open operations (after a restart too),
 * polling the backend within the same per-operation rate limit as last_operation.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: BrokerDeps,
    private readonly lifecycle: Lifecycle,
    private readonly specs: Record<OpenOperation['target'], ResourceSpec<LifecycleRecord>>,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: Error) => this.deps.log.warn({ err: error.message }, 'operation sweep failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  sweep(): Promise<void> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<void> {
    const { store, metrics } = this.deps;
    const open = await store.list<OpenOperation>('operation');
    let oldest = Number.POSITIVE_INFINITY;
    let inProgress = 0;
    for (const entry of open) {
      const spec = this.specs[entry.value.target];
      const record = await this.lifecycle.refresh(spec, entry.value.id).catch((error: Error) => {
        this.deps.log.warn({ key: entry.value.id, err: error.message }, 'could not refresh an open operation');
        return 'skip' as const;
      });
      if (record === 'skip') continue;
      const finished =
        record === undefined || (record.op.state !== 'in progress' && record.pendingDelete === undefined);
      if (finished) {
        await store.delete('operation', openOperationKey(entry.value.target, entry.value.id));
        continue;
      }
      inProgress++;
      oldest = Math.min(oldest, record.op.startedAt);
    }
    metrics.operationsInProgress.set(inProgress);
    metrics.oldestOperationAge.set(inProgress === 0 ? 0 : (Date.now() - oldest) / 1000);
  }
}

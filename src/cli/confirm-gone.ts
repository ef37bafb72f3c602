import type { BindingRecord, InstanceRecord } from '../broker/records.ts';
import { bindingView, instanceView } from '../broker/sealing.ts';
import { isBackendError, type OperationStatus, type Outcome } from '../plugin-api/index.ts';
import type { GuardedBackend } from '../registry/guarded-backend.ts';
import type { KeyRing } from '../state/key-ring.ts';

const POLL_INTERVAL_MS = 2000;
const GONE_CODES = new Set(['Gone', 'NotFound']);

export interface ConfirmOptions {
  keyRing: KeyRing;
  backend: GuardedBackend;
  timeoutMs: number;
  report(line: string): void;
}

/** Runs a delete; `started` is polled until it ends. Gone/NotFound count as deleted. */
async function deleteAndWait(
  label: string,
  call: () => Promise<Outcome<unknown>>,
  poll: ((operation: string) => Promise<OperationStatus<unknown>>) | undefined,
  options: ConfirmOptions,
): Promise<void> {
  let outcome: Outcome<unknown>;
  try {
    outcome = await call();
  } catch (error) {
    if (isBackendError(error) && GONE_CODES.has(error.code)) return;
    throw error;
  }
  if (outcome.state === 'done') return;
  if (poll === undefined) throw new Error(`${label} started asynchronously, and the backend offers no status call`);
  let operation = outcome.operation;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.report(`${label}: in progress, asking the backend again in ${POLL_INTERVAL_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    const status = await poll(operation).catch((error: unknown) => {
      if (isBackendError(error) && GONE_CODES.has(error.code)) return { state: 'succeeded' } as const;
      throw error;
    });
    if (status.state === 'succeeded') return;
    if (status.state === 'failed') throw new Error(`${label} failed: ${status.description ?? 'no reason given'}`);
    operation = status.operation ?? operation;
    if (Date.now() > deadline) throw new Error(`${label} still in progress after ${options.timeoutMs / 1000} s`);
  }
}

/**
 * Asks the backend to delete the instance's bindings and the instance itself, the calls the broker would make;
 * resolves only when the backend confirms each is gone, otherwise throws saying why.
 */
export async function confirmGone(
  instance: InstanceRecord,
  bindings: BindingRecord[],
  options: ConfirmOptions,
): Promise<void> {
  const { backend, keyRing } = options;
  const plugin = backend.backend;
  const view = instanceView(keyRing, instance, true);
  const lastBindingOperation = plugin.lastBindingOperation?.bind(plugin);
  for (const record of bindings) {
    const binding = bindingView(keyRing, record, true);
    const label = `unbind ${record.bindingId}`;
    await deleteAndWait(
      label,
      () =>
        backend.call('unbind', {}, (ctx) => plugin.unbind({ instance: view, binding, acceptsIncomplete: true }, ctx)),
      lastBindingOperation &&
        ((operation) =>
          backend.call('lastBindingOperation', {}, (ctx) =>
            lastBindingOperation({ instance: view, binding, kind: 'unbind', operation }, ctx),
          )),
      options,
    );
    options.report(`${label}: gone`);
  }
  const lastOperation = plugin.lastOperation?.bind(plugin);
  const statusView = instanceView(keyRing, instance, false);
  await deleteAndWait(
    `deprovision ${instance.id}`,
    () =>
      backend.call('deprovision', {}, (ctx) => plugin.deprovision({ instance: view, acceptsIncomplete: true }, ctx)),
    lastOperation &&
      ((operation) =>
        backend.call('lastOperation', {}, (ctx) =>
          lastOperation({ instance: statusView, kind: 'deprovision', operation }, ctx),
        )),
    options,
  );
  options.report(`deprovision ${instance.id}: gone`);
}

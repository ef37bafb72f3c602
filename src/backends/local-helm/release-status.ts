import type { OperationStatus } from '../../plugin-api/index.ts';
import type { HelmRelease } from './helm-runner.ts';
import { type KubeReads, podCounts, podIsReady } from './kube-reads.ts';

const PENDING = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

/** An install/upgrade is done when helm says `deployed` and every pod of the release is Ready. */
export async function installProgress(
  release: HelmRelease | undefined,
  kube: KubeReads,
  location: { release: string; namespace: string },
  signal: AbortSignal,
): Promise<OperationStatus> {
  if (release === undefined) {
    return { state: 'failed', description: `helm has no release ${location.release} in ${location.namespace}` };
  }
  const { status, description } = release.info;
  if (PENDING.has(status)) return { state: 'in progress', description: `helm release is ${status}` };
  if (status !== 'deployed') {
    return { state: 'failed', description: `helm release is ${status}${description ? `: ${description}` : ''}` };
  }
  const pods = (await kube.pods(location.namespace, location.release, signal)).filter(podCounts);
  const ready = pods.filter(podIsReady).length;
  if (pods.length === 0) return { state: 'in progress', description: 'waiting for the release to create its pods' };
  if (ready < pods.length) return { state: 'in progress', description: `${ready}/${pods.length} pods ready` };
  return { state: 'succeeded', description: `${pods.length}/${pods.length} pods ready` };
}

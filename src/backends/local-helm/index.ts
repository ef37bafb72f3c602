import { resolve } from 'node:path';
import { defineBackend } from '../../plugin-api/index.ts';
import type { ChartReference } from './helm-runner.ts';
import { HelmRunner } from './helm-runner.ts';
import { KubeReads } from './kube-reads.ts';
import { LocalHelmBackend } from './local-helm-backend.ts';
import { type LocalHelmOptions, localHelmOptionsSchema } from './options.ts';
import { isRemoteRepository } from './repository-index.ts';

function chartReferences(options: LocalHelmOptions): (chart: string, version: string) => ChartReference {
  const { repositoryName, repository } = options;
  if (repositoryName !== undefined) return (chart, version) => ({ chart: `${repositoryName}/${chart}`, version });
  if (!isRemoteRepository(repository)) {
    throw new Error('local-helm: options.repositoryName is required when options.repository is a file');
  }
  const repo = repository.replace(/\/index\.ya?ml$/i, '');
  return (chart, version) => ({ chart, repo, version });
}

/** Helm charts as services, chart app versions as plans, installed into the cluster omnibroker runs next to. */
export default defineBackend({
  kind: 'local-helm',
  optionsSchema: localHelmOptionsSchema,
  create(options, deps) {
    const kubeconfig = options.kubeconfig === undefined ? undefined : resolve(deps.configDir, options.kubeconfig);
    const helm = new HelmRunner({
      binary: options.helmBinary,
      timeoutMs: options.helmTimeoutMs,
      ...(kubeconfig === undefined ? {} : { kubeconfig }),
    });
    return new LocalHelmBackend(options, deps, helm, new KubeReads(kubeconfig), chartReferences(options));
  },
});

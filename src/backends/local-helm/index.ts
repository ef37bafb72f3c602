import { resolve } from 'node:path';
import { defineBackend, type Logger } from '../../plugin-api/index.ts';
import type { ChartSource } from './chart-source.ts';
import { HelmRepositorySource } from './helm-repository-source.ts';
import { HelmRunner } from './helm-runner.ts';
import { KubeReads } from './kube-reads.ts';
import { LocalHelmBackend } from './local-helm-backend.ts';
import { OciChartSource } from './oci-chart-source.ts';
import { type LocalHelmOptions, localHelmOptionsSchema } from './options.ts';
import { isOciRepository } from './repository-index.ts';

function chartSource(options: LocalHelmOptions, configDir: string, log: Logger): ChartSource {
  if (!isOciRepository(options.repository)) {
    return new HelmRepositorySource(options.repository, configDir, options.repositoryName);
  }
  if (options.repositoryName !== undefined) {
    throw new Error('local-helm: options.repositoryName does not apply to an oci:// repository');
  }
  return new OciChartSource(options, log);
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
    const source = chartSource(options, deps.configDir, deps.log);
    return new LocalHelmBackend(options, deps, helm, new KubeReads(kubeconfig), source);
  },
});

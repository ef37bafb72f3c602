import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PlanTarget } from './catalog-builder.ts';
import type { ChartSource } from './chart-source.ts';
import type { ChartReference } from './helm-runner.ts';
import type { LocalHelmOptions } from './options.ts';
import {
  isRemoteRepository,
  loadRepositoryIndex,
  type RepositoryIndex,
  resolveRepositoryPath,
} from './repository-index.ts';

async function fetchArchive(url: string | URL, signal: AbortSignal): Promise<Buffer> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Charts listed in a Helm repository `index.yaml` (a URL or a file), installed by repository name or `--repo`. */
export class HelmRepositorySource implements ChartSource {
  private readonly chartReference: (chart: string, version: string) => ChartReference;

  constructor(
    private readonly repository: string,
    private readonly configDir: string,
    repositoryName: LocalHelmOptions['repositoryName'],
  ) {
    if (repositoryName !== undefined) {
      this.chartReference = (chart, version) => ({ chart: `${repositoryName}/${chart}`, version });
    } else if (isRemoteRepository(repository)) {
      const repo = repository.replace(/\/index\.ya?ml$/i, '');
      this.chartReference = (chart, version) => ({ chart, repo, version });
    } else {
      throw new Error('local-helm: options.repositoryName is required when options.repository is a file');
    }
  }

  loadIndex(_charts: string[], signal: AbortSignal): Promise<RepositoryIndex> {
    return loadRepositoryIndex(this.repository, this.configDir, signal);
  }

  async loadArchive(target: PlanTarget, signal: AbortSignal): Promise<Buffer | undefined> {
    const url = target.urls?.[0];
    if (url === undefined) return undefined;
    if (isRemoteRepository(url)) return fetchArchive(url, signal);
    if (isRemoteRepository(this.repository)) return fetchArchive(new URL(url, this.repository), signal);
    return readFile(resolve(dirname(resolveRepositoryPath(this.repository, this.configDir)), url));
  }

  reference(chart: string, version: string): ChartReference {
    return this.chartReference(chart, version);
  }
}

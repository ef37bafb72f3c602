import type { PlanTarget } from './catalog-builder.ts';
import type { ChartReference, HelmRunner } from './helm-runner.ts';
import type { RepositoryIndex } from './repository-index.ts';

/** Where charts come from: a Helm repository `index.yaml` or an OCI registry. The catalog is built the same from either. */
export interface ChartSource {
  /** Every version of the allowed charts, in the shape of a repository index; `Unavailable` when the source is down. */
  loadIndex(charts: string[], signal: AbortSignal): Promise<RepositoryIndex>;
  /** The packaged chart (.tgz) of a plan's chart version; `undefined` when the source names none. */
  loadArchive(target: PlanTarget, signal: AbortSignal): Promise<Buffer | undefined>;
  /** How `helm install`/`helm upgrade` name a chart version. */
  reference(chart: string, version: string): ChartReference;
  /** Runs before helm fetches a chart (install, upgrade), e.g. to log helm in to a registry. */
  prepareHelm?(helm: HelmRunner, signal: AbortSignal): Promise<void>;
}

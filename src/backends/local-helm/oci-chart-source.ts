import semver from 'semver';
import { isBackendError, type Logger } from '../../plugin-api/index.ts';
import type { PlanTarget } from './catalog-builder.ts';
import type { ChartSource } from './chart-source.ts';
import type { ChartReference, HelmRunner } from './helm-runner.ts';
import type { RegistryCredentials } from './oci-auth.ts';
import { type OciDescriptor, OciRegistry } from './oci-registry.ts';
import type { LocalHelmOptions } from './options.ts';
import { type ChartEntry, chartEntryFrom, type RepositoryIndex } from './repository-index.ts';

/** Helm's media types (HIP 0017); `application/tar+gzip` is the chart layer of charts pushed before Helm 3.8. */
const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
const HELM_CHART_LAYERS = new Set(['application/vnd.cncf.helm.chart.content.v1.tar+gzip', 'application/tar+gzip']);

/** OCI tags cannot hold `+`; `helm push` writes it as `_` (helm/helm#10166). */
const tagOf = (version: string) => version.replaceAll('+', '_');
const versionOf = (tag: string) => tag.replaceAll('_', '+');

/** The newest `max` chart versions among a repository's tags; tags that are no semver (signatures, `latest`) are skipped. */
function newestVersions(tags: string[], max: number): string[] {
  return tags
    .map(versionOf)
    .filter((version) => semver.valid(version) !== null)
    .sort(semver.rcompare)
    .slice(0, max);
}

interface ChartVersion {
  entry: ChartEntry;
  chartLayer: OciDescriptor;
}

function parseOciRepository(repository: string): { host: string; path: string } {
  const url = /^oci:\/\/([^/?#]+)((?:\/[^/?#]+)*)\/?$/i.exec(repository);
  if (url === null) {
    throw new Error(`local-helm: options.repository ${repository} is not oci://<host>[:port]/<path>`);
  }
  return { host: url[1]!, path: url[2]!.slice(1) };
}

function credentialsFrom(options: LocalHelmOptions): RegistryCredentials | undefined {
  const { registryUsername: username, registryPassword: password } = options;
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    throw new Error('local-helm: options.registryUsername and options.registryPassword go together');
  }
  return { username, password };
}

/**
 * Charts in an OCI registry (`oci://<host>/<path>`, chart `<chart>` at repository `<path>/<chart>`), read through
 * the OCI Distribution API into the same index an `index.yaml` gives. Each tag's manifest and config are read once
 * (chart tags are immutable in practice), so a refresh costs one tags/list per chart.
 */
export class OciChartSource implements ChartSource {
  private readonly host: string;
  private readonly path: string;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly registry: OciRegistry;
  /** Per `<chart>:<version>`: its index entry and chart layer, `null` when the tag holds no Helm chart. */
  private readonly versions = new Map<string, ChartVersion | null>();
  private login: Promise<void> | undefined;

  constructor(
    private readonly options: LocalHelmOptions,
    private readonly log: Logger,
  ) {
    ({ host: this.host, path: this.path } = parseOciRepository(options.repository));
    this.credentials = credentialsFrom(options);
    this.registry = new OciRegistry({
      host: this.host,
      plainHttp: options.registryPlainHttp,
      ...(this.credentials === undefined ? {} : { credentials: this.credentials }),
    });
  }

  private repositoryOf(chart: string): string {
    return this.path === '' ? chart : `${this.path}/${chart}`;
  }

  async loadIndex(charts: string[], signal: AbortSignal): Promise<RepositoryIndex> {
    const index: RepositoryIndex = new Map();
    for (const chart of charts) {
      const tags = await this.registry.tags(this.repositoryOf(chart), signal);
      if (tags === undefined) continue;
      const versions = newestVersions(tags, this.options.registryMaxVersions);
      const found = await Promise.all(versions.map((version) => this.chartVersion(chart, version, signal)));
      index.set(
        chart,
        found.flatMap((v) => (v === null ? [] : [v.entry])),
      );
    }
    return index;
  }

  private async chartVersion(chart: string, version: string, signal: AbortSignal): Promise<ChartVersion | null> {
    const key = `${chart}:${version}`;
    const known = this.versions.get(key);
    if (known !== undefined) return known;
    const repository = this.repositoryOf(chart);
    const manifest = await this.registry.manifest(repository, tagOf(version), signal);
    // Deleted since the listing: not remembered, a later listing decides.
    if (manifest === undefined) return null;
    const chartLayer = manifest.layers.find((layer) => HELM_CHART_LAYERS.has(layer.mediaType));
    let found: ChartVersion | null = null;
    if (manifest.config?.mediaType === HELM_CONFIG && chartLayer !== undefined) {
      try {
        const config: unknown = JSON.parse((await this.registry.blob(repository, manifest.config, signal)).toString());
        // Name and version as helm resolves them (repository and tag), whatever the Chart.yaml inside says.
        const entry = chartEntryFrom({ ...(config as object), name: chart, version });
        if (entry !== undefined) found = { entry, chartLayer };
      } catch (error) {
        if (isBackendError(error)) throw error;
        this.log.warn(
          { chart, version, err: (error as Error).message },
          'unreadable Helm chart config in the OCI registry',
        );
      }
    }
    this.versions.set(key, found);
    return found;
  }

  async loadArchive(target: PlanTarget, signal: AbortSignal): Promise<Buffer | undefined> {
    const found = await this.chartVersion(target.chart, target.chartVersion, signal);
    return found === null ? undefined : this.registry.blob(this.repositoryOf(target.chart), found.chartLayer, signal);
  }

  reference(chart: string, version: string): ChartReference {
    return {
      chart: `oci://${this.host}/${this.repositoryOf(chart)}`,
      version,
      ...(this.options.registryPlainHttp ? { plainHttp: true } : {}),
    };
  }

  /** helm reads its own registry login, not ours: log it in once per process, again after a failure. */
  async prepareHelm(helm: HelmRunner, signal: AbortSignal): Promise<void> {
    const credentials = this.credentials;
    if (credentials === undefined) return;
    this.login ??= helm
      .registryLogin({ host: this.host, ...credentials, plainHttp: this.options.registryPlainHttp }, signal)
      .catch((error: unknown) => {
        this.login = undefined;
        throw error;
      });
    await this.login;
  }
}

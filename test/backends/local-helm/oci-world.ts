import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import localHelm from '../../../src/backends/local-helm/index.ts';
import type { Backend, JsonObject, Logger } from '../../../src/plugin-api/index.ts';
import { helmStubPath } from '../../fakes/helm/fake-helm.ts';
import {
  type FakeOciRegistry,
  type FakeOciRegistryOptions,
  startFakeOciRegistry,
} from '../../fakes/oci-registry/registry.ts';
import { pushArtifact, pushChart } from '../../fakes/oci-registry/push.ts';
import {
  bitnamiCharts,
  type ChartMetadata,
  type PackagedChart,
  packageCharts,
  writeRepositoryIndex,
} from './bitnami-charts.ts';
import { type HelmWorld, startHelmWorld } from './setup.ts';

export const PUSHER = { username: 'ci-pusher', password: 'push-secret-1' };
export const READER = { username: 'reader', password: 'reader-secret-2' };
export const REGISTRY_PATH = 'bitnamicharts';

/** A later nginx release whose version carries build metadata: its OCI tag is `19.0.2_bitnami.1`. */
export const PLUS_VERSION: ChartMetadata = {
  ...bitnamiCharts(['nginx'])[0]!,
  version: '19.0.2+bitnami.1',
  appVersion: '1.27.5',
};

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export interface OciWorld {
  helm: HelmWorld;
  registry: FakeOciRegistry;
  charts: PackagedChart[];
  /** The same charts as a Helm repository `index.yaml` with archives next to it. */
  indexPath: string;
  /** `oci://<fake registry>/bitnamicharts` */
  repository: string;
  /** A backend reading the fake registry over plain HTTP, installing with the stub helm into the fake cluster. */
  backend(options?: JsonObject): Promise<Backend>;
  close(): Promise<void>;
}

/**
 * The saved Bitnami index's charts (plus nginx's `+` version), packaged for real, written as an index.yaml and pushed to a
 * fake OCI registry, next to the stub helm and fake cluster.
 */
export async function startOciWorld(charts: string[], registryOptions: FakeOciRegistryOptions = {}): Promise<OciWorld> {
  const helm = await startHelmWorld();
  const registry = await startFakeOciRegistry({
    ...registryOptions,
    users: { [PUSHER.username]: PUSHER.password, [READER.username]: READER.password },
  });
  const dir = join(helm.dir, 'charts');
  mkdirSync(dir);
  const packaged = packageCharts(dir, [...bitnamiCharts(charts), PLUS_VERSION]);
  for (const chart of packaged) await pushChart(registry.url, PUSHER, { path: REGISTRY_PATH, ...chart });
  // What cosign leaves next to a signed chart: a tag that is no version, holding no chart.
  await pushArtifact(registry.url, PUSHER, {
    repository: `${REGISTRY_PATH}/${charts[0]}`,
    tag: `sha256-${'ab'.repeat(32)}.sig`,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', bytes: Buffer.from('{}') },
    layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', bytes: Buffer.from('{"critical":{}}') }],
  });
  const repository = `oci://${registry.host}/${REGISTRY_PATH}`;
  return {
    helm,
    registry,
    charts: packaged,
    indexPath: writeRepositoryIndex(dir, packaged),
    repository,
    async backend(options = {}) {
      const raw = {
        helmBinary: helmStubPath,
        repository,
        registryPlainHttp: true,
        charts,
        kubeconfig: helm.kube.kubeconfigPath,
        ...options,
      };
      const withDefaults = Value.Default(localHelm.optionsSchema, raw) as Parameters<typeof localHelm.create>[0];
      return localHelm.create(withDefaults, { name: 'helm', log: silent, configDir: helm.dir });
    },
    async close() {
      await registry.close();
      await helm.close();
    },
  };
}

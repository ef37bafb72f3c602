import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import localHelm from '../../../src/backends/local-helm/index.ts';
import type { Backend, CallContext, InstanceView, JsonObject, Logger } from '../../../src/plugin-api/index.ts';
import { helmStubPath } from '../../fakes/helm/fake-helm.ts';
import { type FakeKubeApi, startFakeKubeApi } from '../../fakes/helm/fake-kube-api.ts';
import { freePort } from '../../support/ports.ts';

export const fixtureIndex = fileURLToPath(new URL('../../fixtures/helm/bitnami-index.yaml', import.meta.url));

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export const ctx = (signal: AbortSignal = AbortSignal.timeout(20_000)): CallContext => ({ signal, log: silent });

export interface HelmWorld {
  dir: string;
  stateDir: string;
  kube: FakeKubeApi;
  backend(options?: JsonObject): Promise<Backend>;
  close(): Promise<void>;
}

/** A fake cluster plus the stub helm, wired the way an operator would configure the backend. */
export async function startHelmWorld(): Promise<HelmWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-local-helm-'));
  const stateDir = join(dir, 'helm-state');
  process.env.FAKE_HELM_STATE_DIR = stateDir;
  process.env.FAKE_HELM_REPOSITORY_INDEX = fixtureIndex;
  const kube = await startFakeKubeApi(dir);
  return {
    dir,
    stateDir,
    kube,
    async backend(options = {}) {
      const raw = {
        helmBinary: helmStubPath,
        repository: fixtureIndex,
        repositoryName: 'bitnami',
        kubeconfig: kube.kubeconfigPath,
        ...options,
      };
      const withDefaults = Value.Default(localHelm.optionsSchema, raw) as typeof raw;
      return localHelm.create(withDefaults as Parameters<typeof localHelm.create>[0], {
        name: 'helm',
        log: silent,
        configDir: dir,
      });
    },
    async close() {
      await kube.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function instanceView(
  id: string,
  serviceId: string,
  planId: string,
  data: JsonObject,
  context: JsonObject = {},
): InstanceView {
  return { id, serviceId, planId, parameters: {}, context, data, secrets: {} };
}

export const decodeSecret = (kube: FakeKubeApi, namespace: string, name: string, key: string): string => {
  const secret = kube.objects('secrets', namespace).find((s) => s.metadata.name === name) as
    | { data: Record<string, string> }
    | undefined;
  const value = secret?.data[key];
  if (value === undefined) throw new Error(`no secret ${name} key ${key}`);
  return Buffer.from(value, 'base64').toString('utf8');
};

/** Provisions through the backend and marks the release's pods Ready, as the cluster eventually would. */
export async function provisionReady(
  world: HelmWorld,
  backend: Backend,
  input: { instanceId: string; chart: string; planId: string; parameters?: JsonObject; namespace?: string },
): Promise<InstanceView> {
  const context = input.namespace === undefined ? {} : { namespace: input.namespace };
  const outcome = await backend.provision(
    {
      instanceId: input.instanceId,
      serviceId: input.chart,
      planId: input.planId,
      parameters: input.parameters ?? {},
      context,
      acceptsIncomplete: true,
    },
    ctx(),
  );
  if (outcome.state !== 'started') throw new Error('provision should be async');
  const instance = instanceView(input.instanceId, input.chart, input.planId, outcome.output?.data ?? {}, context);
  const release = instance.data.release as string;
  world.kube.setPodsReady(instance.data.namespace as string, release, true);
  const status = await backend.lastOperation?.({ instance, kind: 'provision', operation: outcome.operation }, ctx());
  if (status?.state !== 'succeeded') throw new Error(`provision did not succeed: ${JSON.stringify(status)}`);
  return instance;
}

export async function bindOnce(backend: Backend, instance: InstanceView, bindingId: string) {
  const outcome = await backend.bind(
    { instance, bindingId, parameters: {}, context: {}, acceptsIncomplete: false },
    ctx(),
  );
  if (outcome.state !== 'done') throw new Error('bind should be synchronous');
  return outcome.output;
}

/** A kubeconfig whose API server is a free port with nothing listening. */
export async function deadKubeconfig(dir: string): Promise<{ kubeconfig: string; server: string }> {
  const kubeconfig = join(dir, 'dead-kubeconfig');
  const server = `http://127.0.0.1:${await freePort()}`;
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      clusters: [{ name: 'dead', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'u' } }],
      'current-context': 'dead',
    }),
  );
  return { kubeconfig, server };
}

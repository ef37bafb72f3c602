import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmCalls, setReleaseStatus } from '../../fakes/helm/fake-helm.ts';
import { ctx, deadKubeconfig, type HelmWorld, instanceView, startHelmWorld } from './setup.ts';

const provisionRequest = (instanceId: string, extra: Record<string, unknown> = {}) => ({
  instanceId,
  serviceId: 'redis',
  planId: 'redis-7.4.2',
  parameters: {},
  context: {},
  acceptsIncomplete: true,
  ...extra,
});

describe('local-helm failures users see', () => {
  let world: HelmWorld;
  beforeAll(async () => {
    world = await startHelmWorld();
  });
  afterAll(() => world.close());

  it('a missing helm binary is Unavailable, naming the binary', async () => {
    const backend = await world.backend({ helmBinary: join(world.dir, 'no-such-helm') });
    await expect(backend.provision(provisionRequest('i-nohelm'), ctx())).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('no-such-helm" cannot be run (ENOENT)'),
    });
  });

  it('an unreachable cluster is Unavailable, in helm and in the Kubernetes API reads', async () => {
    const { kubeconfig, server } = await deadKubeconfig(world.dir);
    const backend = await world.backend({ kubeconfig });
    await expect(backend.provision(provisionRequest('i-dead'), ctx())).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('Kubernetes cluster unreachable'),
    });
    // A release installed while the cluster was up, polled after it went away: the pod read fails.
    const started = await (await world.backend()).provision(provisionRequest('i-later-dead'), ctx());
    if (started.state !== 'started') throw new Error('expected async');
    const instance = instanceView('i-later-dead', 'redis', 'redis-7.4.2', started.output?.data ?? {});
    await expect(
      backend.lastOperation?.({ instance, kind: 'provision', operation: started.operation }, ctx()),
    ).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining(`Kubernetes API at ${server} unreachable (list pods)`),
    });
  });

  it('refuses synchronous provisioning, unknown plans and overriding fixed values, before running helm', async () => {
    const backend = await world.backend({ provisioningSettings: { redis: { architecture: 'standalone' } } });
    const callsBefore = helmCalls(world.stateDir).length;
    await expect(
      backend.provision(provisionRequest('i-sync', { acceptsIncomplete: false }), ctx()),
    ).rejects.toMatchObject({
      code: 'AsyncRequired',
    });
    await expect(backend.provision(provisionRequest('i-plan', { planId: 'redis-0.0.1' }), ctx())).rejects.toMatchObject(
      {
        code: 'BadRequest',
      },
    );
    await expect(
      backend.provision(provisionRequest('i-fixed', { parameters: { architecture: 'replication' } }), ctx()),
    ).rejects.toMatchObject({ code: 'InvalidParameters', message: expect.stringContaining('architecture') });
    expect(helmCalls(world.stateDir).length).toBe(callsBefore);
  });

  it("a release helm reports failed ends the operation failed, in helm's words", async () => {
    const backend = await world.backend();
    const outcome = await backend.provision(provisionRequest('i-fails'), ctx());
    if (outcome.state !== 'started') throw new Error('expected async');
    const { release, namespace } = (outcome.output?.data ?? {}) as { release: string; namespace: string };
    setReleaseStatus(
      world.stateDir,
      namespace,
      release,
      'failed',
      'post-install hook failed: job failed: BackoffLimitExceeded',
    );
    const instance = instanceView('i-fails', 'redis', 'redis-7.4.2', outcome.output?.data ?? {});
    expect(await backend.lastOperation?.({ instance, kind: 'provision', operation: outcome.operation }, ctx())).toEqual(
      {
        state: 'failed',
        description: 'helm release is failed: post-install hook failed: job failed: BackoffLimitExceeded',
      },
    );
    // A failed release can always be deleted.
    expect(await backend.deprovision({ instance, acceptsIncomplete: false }, ctx())).toEqual({
      state: 'done',
      output: {},
    });
    const left = world.kube
      .objects('pods', namespace)
      .filter((p) => p.metadata.labels?.['app.kubernetes.io/instance'] === release);
    expect(left).toEqual([]);
  });

  it('a file repository without repositoryName is a start-up error naming the option', async () => {
    await expect(world.backend({ repositoryName: undefined })).rejects.toThrow(/repositoryName is required/);
  });
});

import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { helmCalls } from '../../fakes/helm/fake-helm.ts';
import { ctx, deadKubeconfig, type HelmWorld, startHelmWorld } from './setup.ts';

const secretsRead =
  '/api/v1/namespaces/services/secrets?labelSelector=app.kubernetes.io%2Finstance%3Domnibroker-health-check';

describe('local-helm health, as omnibroker doctor shows it', () => {
  let world: HelmWorld;
  beforeAll(async () => {
    world = await startHelmWorld();
  });
  afterAll(() => world.close());

  const health = async (options: Record<string, string> = {}) => {
    const backend = await world.backend({ namespace: 'services', ...options });
    if (backend.health === undefined) throw new Error('local-helm has no health probe');
    return backend.health(ctx());
  };

  it('healthy: names the helm version, the API server and the namespace it read', async () => {
    const before = world.kube.requests.length;
    expect(await health()).toEqual({
      ok: true,
      detail: `helm v3.17.1+g980d8ac runs; Kubernetes API at ${world.kube.url} lists Secrets in namespace "services"`,
    });
    expect(world.kube.requests.slice(before)).toEqual([
      { method: 'GET', path: secretsRead, authorization: 'Bearer fake-token' },
    ]);
    expect(helmCalls(world.stateDir).at(-1)).toEqual(['version', '--short', '--kubeconfig', world.kube.kubeconfigPath]);
  });

  it('a helm path that does not exist: the detail names the path', async () => {
    const missing = join(world.dir, 'no-such-helm');
    expect(await health({ helmBinary: missing })).toEqual({
      ok: false,
      detail: `the helm binary "${missing}" cannot be run (ENOENT)`,
    });
  });

  it("a helm that exits non-zero: the detail carries the binary, exit code and helm's stderr", async () => {
    const broken = join(world.dir, 'broken-helm');
    writeFileSync(broken, "#!/bin/sh\necho 'Error: unknown flag: --short' >&2\nexit 3\n");
    chmodSync(broken, 0o755);
    expect(await health({ helmBinary: broken })).toEqual({
      ok: false,
      detail: `the helm binary "${broken}" exited 3 on version --short: Error: unknown flag: --short`,
    });
  });

  it('a Kubernetes API that refuses the broker (403): the call, server, status and namespace', async () => {
    world.kube.refuse(403);
    try {
      const status = await health();
      expect(status.ok).toBe(false);
      expect(status.detail).toContain(`Kubernetes API at ${world.kube.url} list secrets: HTTP 403`);
      expect(status.detail).toContain('forbidden: User \\"broker\\" cannot GET /api/v1/namespaces/services/secrets');
      expect(status.detail).toMatch(/\(namespace "services"\)$/);
    } finally {
      world.kube.refuse(undefined);
    }
  });

  it('a Kubernetes API server that never answers: the probe ends with the call and cancels its request', async () => {
    world.kube.stall(true);
    try {
      const backend = await world.backend({ namespace: 'services' });
      if (backend.health === undefined) throw new Error('local-helm has no health probe');
      const started = Date.now();
      const status = await backend.health({ ...ctx(), signal: AbortSignal.timeout(500) });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(status.ok).toBe(false);
      expect(status.detail).toMatch(
        new RegExp(
          `^Kubernetes API at ${world.kube.url} unreachable \\(list secrets\\): .*abort.*\\(namespace "services"\\)$`,
          'i',
        ),
      );
      await vi.waitFor(() => expect(world.kube.abandoned()).toBe(1));
    } finally {
      world.kube.stall(false);
    }
  });

  it('an unreachable API server: the server address in the detail', async () => {
    const { kubeconfig, server } = await deadKubeconfig(world.dir);
    const status = await health({ kubeconfig });
    expect(status.ok).toBe(false);
    expect(status.detail).toMatch(
      new RegExp(
        `^Kubernetes API at ${server} unreachable \\(list secrets\\): .*ECONNREFUSED.*\\(namespace "services"\\)$`,
      ),
    );
  });

  it('helm missing and the API refusing the credentials (401): both reasons, helm first', async () => {
    const missing = join(world.dir, 'no-such-helm');
    world.kube.refuse(401);
    try {
      const status = await health({ helmBinary: missing });
      expect(status.ok).toBe(false);
      expect(status.detail).toMatch(
        new RegExp(
          `^the helm binary "${missing}" cannot be run \\(ENOENT\\); Kubernetes API at .* HTTP 401 Unauthorized: the kubeconfig or service account credentials were refused \\(namespace "services"\\)$`,
        ),
      );
    } finally {
      world.kube.refuse(undefined);
    }
  });
});

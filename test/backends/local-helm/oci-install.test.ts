import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseNameFor } from '../../../src/backends/local-helm/release-locator.ts';
import type { Backend } from '../../../src/plugin-api/index.ts';
import { helmCalls } from '../../fakes/helm/fake-helm.ts';
import { type OciWorld, READER, REGISTRY_PATH, startOciWorld } from './oci-world.ts';
import { ctx, provisionReady } from './setup.ts';

/** What the stub helm pulled: the chart metadata it recorded in the release (from the registry's config blob). */
const releasedChart = (world: OciWorld, release: string) =>
  (
    JSON.parse(readFileSync(join(world.helm.stateDir, 'releases', `default__${release}.json`), 'utf8')) as {
      chart: { metadata: { version: string; appVersion: string } };
    }
  ).chart.metadata;

describe('local-helm installs charts from an OCI registry', () => {
  let world: OciWorld;
  let backend: Backend;
  beforeAll(async () => {
    world = await startOciWorld(['redis', 'nginx']);
    backend = await world.backend();
  });
  afterAll(() => world.close());

  it('runs helm install oci://<host>/<path>/<chart> --version <chart version>, without --repo', async () => {
    await provisionReady(world.helm, backend, { instanceId: 'oci-redis', chart: 'redis', planId: 'redis-7.4.2' });
    const release = releaseNameFor('oci-redis');
    const install = helmCalls(world.helm.stateDir).find((argv) => argv[0] === 'install')!;
    expect(install.slice(0, 6)).toEqual([
      'install',
      release,
      `oci://${world.registry.host}/${REGISTRY_PATH}/redis`,
      '--version',
      '20.11.3',
      '--plain-http',
    ]);
    expect(install).not.toContain('--repo');
    expect(helmCalls(world.helm.stateDir).some((argv) => argv[0] === 'registry')).toBe(false);
    expect(releasedChart(world, release)).toMatchObject({ version: '20.11.3', appVersion: '7.4.2' });
  });

  it('installs and upgrades a `+` chart version, which helm pulls as the `_` tag', async () => {
    const instance = await provisionReady(world.helm, backend, {
      instanceId: 'oci-nginx',
      chart: 'nginx',
      planId: 'nginx-1.27.5',
    });
    const release = releaseNameFor('oci-nginx');
    const install = helmCalls(world.helm.stateDir).find((argv) => argv[0] === 'install' && argv[1] === release)!;
    expect(install.slice(2, 5)).toEqual([
      `oci://${world.registry.host}/${REGISTRY_PATH}/nginx`,
      '--version',
      '19.0.2+bitnami.1',
    ]);
    expect(world.registry.requests.map((r) => r.path)).toContain(
      `/v2/${REGISTRY_PATH}/nginx/manifests/19.0.2_bitnami.1`,
    );
    expect(releasedChart(world, release)).toMatchObject({ version: '19.0.2+bitnami.1', appVersion: '1.27.5' });

    const updated = await backend.update(
      { instance, planId: 'nginx-1.27.4', parameters: {}, context: {}, acceptsIncomplete: true },
      ctx(),
    );
    expect(updated.state).toBe('started');
    const upgrade = helmCalls(world.helm.stateDir).find((argv) => argv[0] === 'upgrade')!;
    expect(upgrade.slice(0, 6)).toEqual([
      'upgrade',
      release,
      `oci://${world.registry.host}/${REGISTRY_PATH}/nginx`,
      '--version',
      '19.0.1',
      '--plain-http',
    ]);
    expect(releasedChart(world, release)).toMatchObject({ version: '19.0.1', appVersion: '1.27.4' });
  });
});

describe('local-helm installs from an OCI registry that needs a login', () => {
  let world: OciWorld;
  beforeAll(async () => {
    world = await startOciWorld(['redis', 'nginx'], { anonymousPull: false });
  });
  afterAll(() => world.close());

  it('logs helm in once (password on stdin, never on argv), then helm pulls with that login', async () => {
    const backend = await world.backend({ registryUsername: READER.username, registryPassword: READER.password });
    await provisionReady(world.helm, backend, { instanceId: 'private-1', chart: 'redis', planId: 'redis-7.4.2' });
    await provisionReady(world.helm, backend, { instanceId: 'private-2', chart: 'nginx', planId: 'nginx-1.27.4' });
    const calls = helmCalls(world.helm.stateDir);
    expect(calls.filter((argv) => argv[0] === 'registry')).toEqual([
      [
        'registry',
        'login',
        world.registry.host,
        '--username',
        READER.username,
        '--password-stdin',
        '--plain-http',
        '--kubeconfig',
        world.helm.kube.kubeconfigPath,
      ],
    ]);
    expect(calls.findIndex((argv) => argv[0] === 'registry')).toBeLessThan(
      calls.findIndex((argv) => argv[0] === 'install'),
    );
    expect(calls.flat().some((arg) => arg.includes(READER.password))).toBe(false);
    // The registry refuses anonymous pulls, so the chart came through helm's own login.
    expect(releasedChart(world, releaseNameFor('private-1'))).toMatchObject({ appVersion: '7.4.2' });
  });

  it('fails the provision as Unavailable, naming the user, when helm cannot log in', async () => {
    // The catalog was read while the password was right; then the registry rotated it.
    const backend = await world.backend({ registryUsername: READER.username, registryPassword: READER.password });
    await backend.catalog(ctx());
    world.registry.setPassword(READER.username, 'rotated-password');
    await expect(
      backend.provision(
        {
          instanceId: 'private-3',
          serviceId: 'redis',
          planId: 'redis-7.4.2',
          parameters: {},
          context: {},
          acceptsIncomplete: true,
        },
        ctx(),
      ),
    ).rejects.toMatchObject({
      code: 'Unavailable',
      message: `helm registry login to ${world.registry.host} as reader failed: Error: login attempt to http://${world.registry.host}/v2/ failed with status: 401 Unauthorized`,
    });
  });
});

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialViolations, derivedName } from '../../../src/plugin-api/index.ts';
import { helmCalls } from '../../fakes/helm/fake-helm.ts';
import { loginAndQuery, type PrivateMariadb, startMariadb } from '../../support/mariadb.ts';
import { setRootPassword } from './sql-servers.ts';
import { ctx, decodeSecret, type HelmWorld, instanceView, startHelmWorld } from './setup.ts';

const ROOT_PASSWORD = 'fixed-root-pw-1';

describe('local-helm lifecycle of a mariadb release, per-binding user on a real MariaDB', () => {
  let world: HelmWorld;
  let db: PrivateMariadb;
  beforeAll(async () => {
    [world, db] = await Promise.all([startHelmWorld(), startMariadb()]);
    await setRootPassword(db, ROOT_PASSWORD);
  });
  afterAll(async () => {
    await Promise.all([world?.close(), db?.stop()]);
  });

  it('installs, polls until pods are ready, binds, unbinds, upgrades and uninstalls', async () => {
    const backend = await world.backend({
      provisioningSettings: { mariadb: { auth: { rootPassword: ROOT_PASSWORD } } },
      connectAddressOverrides: { mariadb: `${db.host}:${db.port}` },
    });
    const instanceId = 'c0ffee00-1111-4222-8333-444455556666';
    const release = derivedName('ob-', instanceId);
    const fullname = `${release}-mariadb`;

    const started = await backend.provision(
      {
        instanceId,
        serviceId: 'mariadb',
        planId: 'mariadb-11.4.5',
        parameters: { auth: { database: 'shop' } },
        context: { platform: 'kubernetes', namespace: 'team-a' },
        acceptsIncomplete: true,
      },
      ctx(),
    );
    expect(started.state).toBe('started');
    if (started.state !== 'started') return;
    const install = helmCalls(world.stateDir).find((argv) => argv[0] === 'install')!;
    const valuesFile = install[install.indexOf('--values') + 1]!;
    expect(install).toEqual([
      'install',
      release,
      'bitnami/mariadb',
      '--version',
      '20.4.2',
      '--namespace',
      'team-a',
      '--create-namespace',
      '--labels',
      `omnibroker-instance=${instanceId},omnibroker-backend=helm`,
      '--values',
      valuesFile,
      '--output',
      'json',
      '--kubeconfig',
      world.kube.kubeconfigPath,
    ]);
    expect(install).not.toContain('--wait');
    expect(existsSync(valuesFile)).toBe(false);
    // The operator's fixed value reached the chart: the release's Secret carries it.
    expect(decodeSecret(world.kube, 'team-a', fullname, 'mariadb-root-password')).toBe(ROOT_PASSWORD);

    const instance = instanceView(instanceId, 'mariadb', 'mariadb-11.4.5', started.output?.data ?? {});
    const poll = () => backend.lastOperation!({ instance, kind: 'provision', operation: started.operation }, ctx());
    expect(await poll()).toMatchObject({ state: 'in progress', description: '0/1 pods ready' });
    expect(helmCalls(world.stateDir).at(-1)).toEqual([
      'status',
      release,
      '--namespace',
      'team-a',
      '--output',
      'json',
      '--kubeconfig',
      world.kube.kubeconfigPath,
    ]);
    world.kube.setPodsReady('team-a', release, true);
    expect(await poll()).toMatchObject({ state: 'succeeded' });

    // A repeated provision (broker crash and retry) does not install twice.
    const installsBefore = helmCalls(world.stateDir).filter((a) => a[0] === 'install').length;
    const again = await backend.provision(
      {
        instanceId,
        serviceId: 'mariadb',
        planId: 'mariadb-11.4.5',
        parameters: { auth: { database: 'shop' } },
        context: { namespace: 'team-a' },
        acceptsIncomplete: true,
      },
      ctx(),
    );
    expect(again).toMatchObject({ state: 'started', operation: started.operation });
    expect(helmCalls(world.stateDir).filter((a) => a[0] === 'install').length).toBe(installsBefore);

    const bound = await backend.bind(
      { instance, bindingId: 'binding-1', parameters: {}, context: {}, acceptsIncomplete: false },
      ctx(),
    );
    if (bound.state !== 'done') throw new Error('bind should be synchronous');
    const creds = bound.output.credentials;
    expect(credentialViolations(creds)).toEqual([]);
    const username = derivedName('u', 'binding-1', 15);
    expect(creds.type).toBe('mysql');
    expect(creds.provider).toBe('helm-bitnami');
    expect(creds.host).toBe(`${fullname}.team-a.svc.cluster.local`);
    expect(creds.port).toBe('3306');
    expect(creds.database).toBe('shop');
    expect(creds.username).toBe(username);
    expect(creds.password).not.toBe(ROOT_PASSWORD);
    expect(creds.uri).toBe(`mysql://${username}:${creds.password}@${fullname}.team-a.svc.cluster.local:3306/shop`);
    expect(creds['jdbc-url']).toBe(`jdbc:mysql://${fullname}.team-a.svc.cluster.local:3306/shop`);
    const login = { host: db.host, port: db.port, user: username, password: creds.password!, database: 'shop' };
    expect(await loginAndQuery({ ...login, sql: 'SELECT DATABASE() AS db' })).toEqual([{ db: 'shop' }]);

    await backend.unbind(
      {
        instance,
        binding: { id: 'binding-1', instanceId, parameters: {}, data: bound.output.data ?? {}, secrets: {} },
        acceptsIncomplete: false,
      },
      ctx(),
    );
    await expect(loginAndQuery({ ...login, sql: 'SELECT 1' })).rejects.toThrow(/Access denied/);

    const updated = await backend.update(
      {
        instance,
        planId: 'mariadb-11.4.4',
        parameters: { primary: { resources: { limits: { memory: '1Gi' } } } },
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    if (updated.state !== 'started') throw new Error('update should be async');
    const upgrade = helmCalls(world.stateDir).find((argv) => argv[0] === 'upgrade')!;
    expect(upgrade.slice(0, 10)).toEqual([
      'upgrade',
      release,
      'bitnami/mariadb',
      '--version',
      '20.2.2',
      '--namespace',
      'team-a',
      '--reset-then-reuse-values',
      '--values',
      upgrade[9],
    ]);
    const pollUpdate = () => backend.lastOperation!({ instance, kind: 'update', operation: updated.operation }, ctx());
    expect((await pollUpdate()).state).toBe('in progress');
    world.kube.setPodsReady('team-a', release, true);
    expect(await pollUpdate()).toMatchObject({ state: 'succeeded', output: { data: { chartVersion: '20.2.2' } } });

    expect(world.kube.objects('persistentvolumeclaims', 'team-a').map((c) => c.metadata.name)).toEqual([
      `data-${fullname}-0`,
    ]);
    const removal = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    if (removal.state !== 'started') throw new Error('deprovision should be async');
    expect(helmCalls(world.stateDir).filter((a) => a[0] === 'uninstall')).toEqual([
      ['uninstall', release, '--namespace', 'team-a', '--kubeconfig', world.kube.kubeconfigPath],
    ]);
    expect(
      await backend.lastOperation!({ instance, kind: 'deprovision', operation: removal.operation }, ctx()),
    ).toMatchObject({ state: 'succeeded' });
    for (const resource of ['services', 'secrets', 'pods', 'persistentvolumeclaims']) {
      expect(world.kube.objects(resource, 'team-a')).toEqual([]);
    }
    // Deleting again (a platform retry) succeeds.
    expect(await backend.deprovision({ instance, acceptsIncomplete: false }, ctx())).toEqual({
      state: 'done',
      output: {},
    });
  });
});

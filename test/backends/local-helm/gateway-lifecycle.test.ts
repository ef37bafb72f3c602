import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialViolations, derivedName } from '../../../src/plugin-api/index.ts';
import { type Harness, startHarness } from '../../support/harness.ts';
import { type PrivateMariadb, startMariadb } from '../../support/mariadb.ts';
import { type PrivateRabbitmq, startRabbitmq } from '../../support/rabbitmq.ts';
import { type PrivateRedis, startRedis } from '../../support/redis.ts';
import { helmStubPath } from '../../fakes/helm/fake-helm.ts';
import { type FakeMongod, startFakeMongod } from '../../fakes/mongodb/fake-mongod.ts';
import { fixtureIndex, type HelmWorld, startHelmWorld } from './setup.ts';
import { setRootPassword } from './sql-servers.ts';

const ROOT_PASSWORD = 'gateway-root-pw';
const CHARTS: Array<[chart: string, plan: string, type: string]> = [
  ['mariadb', 'mariadb-11.4.5', 'mysql'],
  ['mysql', 'mysql-8.4.4', 'mysql'],
  ['postgresql', 'postgresql-17.4.0', 'postgresql'],
  ['mongodb', 'mongodb-8.0.5', 'mongodb'],
  ['redis', 'redis-7.4.2', 'redis'],
  ['rabbitmq', 'rabbitmq-4.0.7', 'rabbitmq'],
];

describe('local-helm through the gateway: the whole lifecycle for each of the six charts', () => {
  let world: HelmWorld;
  let db: PrivateMariadb;
  let mongod: FakeMongod;
  let redis: PrivateRedis;
  let rabbitmq: PrivateRabbitmq;
  let harness: Harness;
  beforeAll(async () => {
    [world, db, mongod, redis, rabbitmq] = await Promise.all([
      startHelmWorld(),
      startMariadb(),
      startFakeMongod({ root: { user: 'root', password: ROOT_PASSWORD } }),
      startRedis({ password: ROOT_PASSWORD }),
      startRabbitmq({ username: 'user', password: ROOT_PASSWORD }),
    ]);
    await setRootPassword(db, ROOT_PASSWORD);
    harness = await startHarness({
      backends: [
        {
          name: 'helm',
          type: 'local-helm',
          options: {
            helmBinary: helmStubPath,
            repository: fixtureIndex,
            repositoryName: 'bitnami',
            kubeconfig: world.kube.kubeconfigPath,
            namespace: 'services',
            provisioningSettings: {
              mariadb: { auth: { rootPassword: ROOT_PASSWORD } },
              mysql: { auth: { rootPassword: ROOT_PASSWORD } },
              mongodb: { auth: { rootPassword: ROOT_PASSWORD } },
              redis: { auth: { password: ROOT_PASSWORD } },
              rabbitmq: { auth: { password: ROOT_PASSWORD } },
            },
            connectAddressOverrides: {
              mariadb: `${db.host}:${db.port}`,
              mysql: `${db.host}:${db.port}`,
              postgresql: '127.0.0.1:5432',
              mongodb: `${mongod.host}:${mongod.port}`,
              redis: `127.0.0.1:${redis.port}`,
              rabbitmq: `127.0.0.1:${rabbitmq.amqpPort}`,
              'rabbitmq/http-stats': `127.0.0.1:${rabbitmq.managementPort}`,
            },
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await Promise.all([world?.close(), db?.stop(), mongod?.close(), redis?.stop(), rabbitmq?.stop()]);
  });

  it.each(CHARTS)('%s: provision, poll, bind, unbind, deprovision', async (chart, plan, type) => {
    const catalog = await harness.client.catalog();
    const service = (catalog.body.services as Array<{ id: string; name: string; plans: Array<{ id: string }> }>).find(
      (s) => s.name === `helm-${chart}`,
    );
    const planId = service?.plans.find((p) => p.id.endsWith(plan))?.id;
    if (service === undefined || planId === undefined) {
      const names = (catalog.body.services as Array<{ name: string }>).map((s) => s.name);
      throw new Error(`no ${chart} ${plan} in the catalog, which has [${names.join(', ')}]`);
    }
    const ids = { service_id: service.id, plan_id: planId };
    const instanceId = `gw-${chart}-${process.pid}`;
    const release = derivedName('ob-', instanceId);

    const provisioned = await harness.client.provision(instanceId, { ...ids, context: { namespace: 'apps' } });
    expect(provisioned.status).toBe(202);
    const pending = await harness.client.lastOperation(instanceId);
    expect(pending.body).toMatchObject({ state: 'in progress' });
    world.kube.setPodsReady('apps', release, true);
    expect(await harness.client.waitForInstance(instanceId)).toMatchObject({ state: 'succeeded' });

    const bound = await harness.client.bind(instanceId, 'b1', ids);
    expect(bound.status).toBe(201);
    const credentials = bound.body.credentials as Record<string, string>;
    expect(credentialViolations(credentials)).toEqual([]);
    expect(credentials.type).toBe(type);
    // Every chart's binding gets its own user, never the release's admin password.
    expect(credentials.password).not.toBe(ROOT_PASSWORD);
    expect(credentials.host).toMatch(new RegExp(`^${release}-${chart}(-master)?\\.apps\\.svc\\.cluster\\.local$`));
    expect((await harness.client.unbind(instanceId, 'b1', ids)).status).toBe(200);

    const deleted = await harness.client.deprovision(instanceId, ids);
    expect([200, 202]).toContain(deleted.status);
    if (deleted.status === 202) await harness.client.waitForInstance(instanceId);
    for (const resource of ['services', 'secrets', 'pods', 'persistentvolumeclaims']) {
      expect(world.kube.objects(resource, 'apps')).toEqual([]);
    }
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Catalog } from '../../../src/plugin-api/index.ts';
import { freePort } from '../../support/ports.ts';
import { type OciWorld, READER, REGISTRY_PATH, startOciWorld } from './oci-world.ts';
import { ctx } from './setup.ts';

const CHARTS = ['mariadb', 'mysql', 'postgresql', 'mongodb', 'rabbitmq', 'redis', 'cassandra', 'nginx'];

const plansOf = (catalog: Catalog, chart: string) =>
  catalog.services.find((s) => s.id === chart)?.plans.map((p) => [p.name, p.metadata?.chartVersion]);

describe('local-helm catalog from an OCI registry', () => {
  let world: OciWorld;
  let backend: Backend;
  let fromRegistry: Catalog;
  beforeAll(async () => {
    // Two tags per tags/list page: every chart's listing takes several pages.
    world = await startOciWorld(CHARTS, { pageSize: 2 });
    backend = await world.backend();
  });
  afterAll(() => world.close());

  it('equals the catalog the same charts give through an index.yaml', async () => {
    const fromIndex = await (await world.backend({ repository: world.indexPath, repositoryName: 'bitnami' })).catalog(
      ctx(),
    );
    world.registry.requests.length = 0;
    fromRegistry = await backend.catalog(ctx());
    expect(fromRegistry).toEqual(fromIndex);
    expect(fromRegistry.services.map((s) => s.id)).toEqual(CHARTS);
    // Newest non-deprecated chart version per app version; mysql 9.4.6 is deprecated in its Chart.yaml.
    expect(plansOf(fromRegistry, 'mariadb')).toEqual([
      ['11.4.5', '20.4.2'],
      ['11.4.4', '20.2.2'],
      ['11.4.3', '19.1.2'],
      ['11.3.2', '18.2.6'],
    ]);
    expect(plansOf(fromRegistry, 'mysql')).toEqual([
      ['8.4.4', '12.3.1'],
      ['8.4.3', '12.2.2'],
      ['8.0.40', '11.1.20'],
    ]);
    const mariadb = fromRegistry.services.find((s) => s.id === 'mariadb')!;
    expect(mariadb.description).toMatch(/^MariaDB is an open source/);
    expect(mariadb.metadata?.documentationUrl).toBe('https://bitnami.com');
    expect(mariadb.plans[0]?.schemas?.service_instance?.create?.parameters).toMatchObject({
      title: 'mariadb 20.4.2 values',
    });
  });

  it('maps `_` in tags back to `+` in chart versions', () => {
    expect(plansOf(fromRegistry, 'nginx')).toEqual([
      ['1.27.5', '19.0.2+bitnami.1'],
      ['1.27.4', '19.0.1'],
    ]);
    expect(world.registry.requests.map((r) => r.path)).toContain(
      `/v2/${REGISTRY_PATH}/nginx/manifests/19.0.2_bitnami.1`,
    );
  });

  it('follows tags/list pagination and reads chart archives only for the versions that became plans', () => {
    const mariadbPages = world.registry.requests.filter(
      (r) => r.path.startsWith(`/v2/${REGISTRY_PATH}/mariadb/tags/list`) && r.status === 200,
    );
    // 6 versions and a signature tag, 2 per page; 20.4.2, the newest plan, is on the third page.
    expect(mariadbPages.map((r) => r.path)).toEqual([
      `/v2/${REGISTRY_PATH}/mariadb/tags/list`,
      `/v2/${REGISTRY_PATH}/mariadb/tags/list?n=2&last=19.1.2`,
      `/v2/${REGISTRY_PATH}/mariadb/tags/list?n=2&last=20.2.2`,
      `/v2/${REGISTRY_PATH}/mariadb/tags/list?n=2&last=20.4.2`,
    ]);
    const archiveOf = new Map(
      world.charts.map((c) => [
        `sha256:${createHash('sha256').update(c.archive).digest('hex')}`,
        `${c.metadata.name} ${c.metadata.version}`,
      ]),
    );
    const archivesRead = world.registry.requests
      .map((r) => /\/blobs\/(sha256:[a-f0-9]+)$/.exec(r.path)?.[1])
      .flatMap((digest) => (digest !== undefined && archiveOf.has(digest) ? [archiveOf.get(digest)] : []));
    const planVersions = fromRegistry.services.flatMap((s) =>
      s.plans.map((p) => `${s.id} ${p.metadata?.chartVersion}`),
    );
    expect(archivesRead.sort()).toEqual(planVersions.sort());
  });

  it('reads like Docker Hub: anonymous first, then an anonymous pull token from the token service', () => {
    const forRedis = world.registry.requests.filter(
      (r) => r.path.includes(`${REGISTRY_PATH}%2Fredis`) || r.path.includes(`${REGISTRY_PATH}/redis/`),
    );
    expect(forRedis.slice(0, 3)).toEqual([
      { method: 'GET', path: `/v2/${REGISTRY_PATH}/redis/tags/list`, status: 401, auth: 'none' },
      {
        method: 'GET',
        path: `/token?service=fake-oci-registry&scope=repository%3A${REGISTRY_PATH}%2Fredis%3Apull`,
        status: 200,
        auth: 'none',
      },
      { method: 'GET', path: `/v2/${REGISTRY_PATH}/redis/tags/list`, status: 200, auth: 'bearer' },
    ]);
  });

  it('costs only tags/list requests on the next refresh', async () => {
    world.registry.requests.length = 0;
    expect(await backend.catalog(ctx())).toEqual(fromRegistry);
    const paths = world.registry.requests.map((r) => r.path);
    expect(paths.every((p) => /^\/v2\/bitnamicharts\/[a-z]+\/tags\/list(\?|$)/.test(p))).toBe(true);
    // One listing per chart, two tags a page: mariadb 7 tags (with the signature), mysql 5, postgresql, mongodb,
    // rabbitmq and redis 4, cassandra 2, nginx 3.
    expect(paths).toHaveLength(4 + 3 + 2 + 2 + 2 + 2 + 1 + 2);
  });

  it('reads only the newest registryMaxVersions versions of each chart', async () => {
    const catalog = await (await world.backend({ registryMaxVersions: 2 })).catalog(ctx());
    expect(plansOf(catalog, 'mariadb')).toEqual([['11.4.5', '20.4.2']]);
    expect(plansOf(catalog, 'mysql')).toEqual([['8.4.4', '12.3.1']]);
  });

  it('is Unavailable, naming the registry, when the registry cannot be reached', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const offline = await world.backend({ repository: `oci://${host}/${REGISTRY_PATH}` });
    await expect(offline.catalog(ctx())).rejects.toMatchObject({
      code: 'Unavailable',
      message: `cannot reach the OCI registry ${host}: ECONNREFUSED`,
    });
  });

  it('refuses options that do not fit an oci:// repository', async () => {
    await expect(world.backend({ repositoryName: 'bitnami' })).rejects.toThrow(
      'options.repositoryName does not apply to an oci:// repository',
    );
    await expect(world.backend({ registryUsername: READER.username })).rejects.toThrow(
      'options.registryUsername and options.registryPassword go together',
    );
  });
});

describe('local-helm catalog from an OCI registry that needs a login', () => {
  let world: OciWorld;
  beforeAll(async () => {
    world = await startOciWorld(['redis', 'nginx'], { anonymousPull: false });
  });
  afterAll(() => world.close());

  it('reads with registryUsername and registryPassword, through the token service', async () => {
    world.registry.requests.length = 0;
    const backend = await world.backend({ registryUsername: READER.username, registryPassword: READER.password });
    const catalog = await backend.catalog(ctx());
    expect(plansOf(catalog, 'redis')).toEqual([
      ['7.4.2', '20.11.3'],
      ['7.4.1', '20.6.3'],
      ['7.2.5', '19.6.4'],
    ]);
    const tokenRequests = world.registry.requests.filter((r) => r.path.startsWith('/token'));
    expect(tokenRequests.map((r) => [r.auth, r.status])).toEqual([
      ['basic', 200],
      ['basic', 200],
    ]);
  });

  it('is Unavailable anonymously, saying the registry refused anonymous access', async () => {
    await expect((await world.backend()).catalog(ctx())).rejects.toMatchObject({
      code: 'Unavailable',
      message: `the OCI registry ${world.registry.host} refused anonymous access to ${REGISTRY_PATH}/redis (HTTP 401: UNAUTHORIZED authentication required)`,
    });
  });

  it('is Unavailable with a wrong password, naming the user and never the password', async () => {
    const wrong = 'not-the-reader-password';
    const backend = await world.backend({ registryUsername: READER.username, registryPassword: wrong });
    const failure = await backend.catalog(ctx()).then(
      () => undefined,
      (error: Error & { code: string }) => error,
    );
    expect(failure).toMatchObject({
      code: 'Unavailable',
      message: `the registry token service ${world.registry.url}/token refused user "reader" access (HTTP 401): check registryUsername and registryPassword`,
    });
    expect(failure?.message).not.toContain(wrong);
  });
});

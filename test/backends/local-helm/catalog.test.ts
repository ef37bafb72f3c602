import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, type HelmWorld, startHelmWorld } from './setup.ts';

describe('local-helm catalog from a Bitnami index.yaml', () => {
  let world: HelmWorld;
  beforeAll(async () => {
    world = await startHelmWorld();
  });
  afterAll(() => world.close());

  it('offers one service per allowed chart and one plan per app version (newest chart version each)', async () => {
    const catalog = await (await world.backend()).catalog(ctx());
    expect(catalog.services.map((s) => s.id).sort()).toEqual([
      'mariadb',
      'mongodb',
      'mysql',
      'postgresql',
      'rabbitmq',
      'redis',
    ]);
    const mariadb = catalog.services.find((s) => s.id === 'mariadb')!;
    expect(mariadb.bindable).toBe(true);
    expect(mariadb.tags).toEqual(['mariadb', 'mysql']);
    expect(mariadb.metadata?.documentationUrl).toBe('https://bitnami.com');
    expect(mariadb.plans.map((p) => [p.id, p.name, p.metadata?.chartVersion])).toEqual([
      ['mariadb-11.4.5', '11.4.5', '20.4.2'],
      ['mariadb-11.4.4', '11.4.4', '20.2.2'],
      ['mariadb-11.4.3', '11.4.3', '19.1.2'],
      ['mariadb-11.3.2', '11.3.2', '18.2.6'],
    ]);
    const mysql = catalog.services.find((s) => s.id === 'mysql')!;
    // 9.4.6 (app 8.0.32) is deprecated in the index.
    expect(mysql.plans.map((p) => p.name)).toEqual(['8.4.4', '8.4.3', '8.0.40']);
    expect(mysql.plans[0]?.metadata?.chartVersion).toBe('12.3.1');
    const planIds = catalog.services.flatMap((s) => s.plans.map((p) => p.id));
    expect(new Set(planIds).size).toBe(planIds.length);
  });

  it('follows the allow-list, including a chart without a credentials provider', async () => {
    const catalog = await (await world.backend({ charts: ['cassandra', 'redis', 'not-in-index'] })).catalog(ctx());
    expect(catalog.services.map((s) => s.id)).toEqual(['cassandra', 'redis']);
    expect(catalog.services[0]?.plans.map((p) => p.name)).toEqual(['5.0.3', '5.0.2']);
  });

  it('is Unavailable when the index cannot be read', async () => {
    const backend = await world.backend({ repository: './missing/index.yaml' });
    await expect(backend.catalog(ctx())).rejects.toMatchObject({ code: 'Unavailable' });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_WAIT_MS } from '../../../src/backends/local-helm/chart-values-schema.ts';
import { ctx, type HelmWorld, startHelmWorld } from './setup.ts';

const VALUES_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { architecture: { type: 'string', enum: ['standalone', 'replication'] } },
};

/** A repository with a real chart archive (built with tar) that ships a values.schema.json. */
function writeRepository(dir: string, archiveUrl = 'mariadb-20.4.2.tgz'): string {
  const chartDir = join(dir, 'src', 'mariadb');
  mkdirSync(chartDir, { recursive: true });
  writeFileSync(join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: mariadb\nversion: 20.4.2\nappVersion: 11.4.5\n');
  writeFileSync(join(chartDir, 'values.schema.json'), JSON.stringify(VALUES_SCHEMA));
  execFileSync('tar', ['-czf', join(dir, 'mariadb-20.4.2.tgz'), '-C', join(dir, 'src'), 'mariadb']);
  const index = join(dir, 'index.yaml');
  writeFileSync(
    index,
    [
      'apiVersion: v1',
      'entries:',
      '  mariadb:',
      `    - { name: mariadb, version: 20.4.2, appVersion: 11.4.5, urls: [${archiveUrl}] }`,
      '    - { name: mariadb, version: 20.2.2, appVersion: 11.4.4, urls: [missing-20.2.2.tgz] }',
    ].join('\n'),
  );
  return index;
}

describe('plan schemas from values.schema.json', () => {
  let world: HelmWorld;
  beforeAll(async () => {
    world = await startHelmWorld();
  });
  afterAll(() => world.close());

  it('publishes the chart values schema as the plan parameters schema, and none where the archive has none', async () => {
    const repository = writeRepository(join(world.dir, 'repo'));
    const catalog = await (await world.backend({ repository, charts: ['mariadb'] })).catalog(ctx());
    const plans = catalog.services[0]?.plans ?? [];
    expect(plans.map((p) => p.id)).toEqual(['mariadb-11.4.5', 'mariadb-11.4.4']);
    expect(plans[0]?.schemas?.service_instance?.create?.parameters).toEqual(VALUES_SCHEMA);
    expect(plans[0]?.schemas?.service_instance?.update?.parameters).toEqual(VALUES_SCHEMA);
    expect(plans[1]?.schemas).toBeUndefined();
  });

  it('does not let a chart server that never answers hold up the catalog, and reads the schema once it answers', async () => {
    const held: ServerResponse[] = [];
    let archive: Buffer | undefined;
    const server = createServer((_request, response) => {
      if (archive === undefined) held.push(response);
      else response.end(archive);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const dir = join(world.dir, 'hanging');
      const repository = writeRepository(dir, `http://127.0.0.1:${port}/mariadb-20.4.2.tgz`);
      const backend = await world.backend({ repository, charts: ['mariadb'] });

      const started = Date.now();
      const first = await backend.catalog(ctx());
      expect(Date.now() - started).toBeLessThan(ARCHIVE_WAIT_MS + 2_000);
      expect(held.length).toBe(1);
      expect(first.services[0]?.plans.map((p) => p.id)).toEqual(['mariadb-11.4.5', 'mariadb-11.4.4']);
      expect(first.services[0]?.plans[0]?.schemas).toBeUndefined();

      archive = readFileSync(join(dir, 'mariadb-20.4.2.tgz'));
      const second = await backend.catalog(ctx());
      expect(second.services[0]?.plans[0]?.schemas?.service_instance?.create?.parameters).toEqual(VALUES_SCHEMA);
    } finally {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/ports.ts';
import {
  type AzureWorld,
  ctx,
  RESOURCE_GROUP,
  SUBSCRIPTION,
  startAzureWorld,
  TOKEN_WITHOUT_ROLE,
} from './azure-world.ts';

const LIST_PATH = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.DBforMySQL/flexibleServers`;

let world: AzureWorld;

beforeAll(async () => {
  world = await startAzureWorld();
});

afterAll(async () => {
  await world?.stop();
});

describe('azure backend health (what `omnibroker doctor` reports)', () => {
  it('is healthy when ARM lists the resource group with the configured token, counting its servers', async () => {
    const backend = await world.backend();
    const before = world.arm.requests.length;
    expect(await backend.health?.(ctx())).toEqual({
      ok: true,
      detail: `ARM lists resource group ${RESOURCE_GROUP} of subscription ${SUBSCRIPTION}: 0 MySQL flexible server(s) on the first page`,
    });
    expect(world.arm.requests.slice(before)).toEqual([{ method: 'GET', path: LIST_PATH, status: 200 }]);

    // ARM lists a server from its create request on, as the fake does.
    await backend.provision(
      {
        instanceId: 'health-1',
        serviceId: 'mysql',
        planId: 'mysql.burstable',
        parameters: {},
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    expect((await backend.health?.(ctx()))?.detail).toMatch(/: 1 MySQL flexible server\(s\) on the first page$/);
  });

  it('names the resource group and the option to fix when the group does not exist', async () => {
    const backend = await world.backend({ resourceGroup: 'rg-missing' });
    const status = await backend.health?.(ctx());
    expect(status?.ok).toBe(false);
    expect(status?.detail).toContain("ResourceGroupNotFound: Resource group 'rg-missing' could not be found.");
    expect(status?.detail).toContain('Check the resourceGroup option');
  });

  it('says the identity lacks a role when ARM accepts the token but forbids the read', async () => {
    const backend = await world.backend({ credentials: { accessToken: TOKEN_WITHOUT_ROLE } });
    const status = await backend.health?.(ctx());
    expect(status?.ok).toBe(false);
    expect(status?.detail).toContain('AuthorizationFailed');
    expect(status?.detail).toContain('lacks a role on the resource group');
  });

  it('says ARM is unreachable when nothing listens at the endpoint', async () => {
    const backend = await world.backend({ endpoint: `https://127.0.0.1:${await freePort()}` });
    const status = await backend.health?.(ctx());
    expect(status?.ok).toBe(false);
    expect(status?.detail).toMatch(
      /^Azure Resource Manager unreachable \(list the MySQL flexible servers of resource group rg-omnibroker\): .*ECONNREFUSED/,
    );
  });
});

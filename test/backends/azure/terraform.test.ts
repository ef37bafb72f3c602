import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, '../../../infra/terraform/azure');
const tfFiles = readdirSync(MODULE).filter((f) => f.endsWith('.tf'));
const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });

type Blocks = Record<string, Record<string, Array<Record<string, unknown>>>>;

async function parsed(file: string): Promise<Blocks> {
  return (await parse(file, readFileSync(join(MODULE, file), 'utf8'))) as Blocks;
}

describe('infra/terraform/azure', () => {
  it('parses with the HCL2 parser and declares, with a description, every var.x it uses', async () => {
    expect(tfFiles.sort()).toEqual(['main.tf', 'network.tf', 'outputs.tf', 'variables.tf', 'versions.tf']);
    const declared = new Map<string, Record<string, unknown>>();
    const used = new Set<string>();
    for (const file of tfFiles) {
      const blocks = await parsed(file);
      for (const [name, [body]] of Object.entries(blocks.variable ?? {})) declared.set(name, body ?? {});
      for (const match of JSON.stringify(blocks).matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g))
        used.add(match[1] ?? '');
    }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((v) => !declared.has(v))).toEqual([]);
    for (const [name, body] of declared) expect(typeof body.description, name).toBe('string');
  });

  it('has the resource group, a service principal with a role scoped to it, optional VNet and private DNS', async () => {
    const resources = Object.assign({}, ...(await Promise.all(tfFiles.map(parsed))).map((b) => b.resource ?? {}));
    for (const type of [
      'azurerm_resource_group',
      'azuread_application',
      'azuread_service_principal',
      'azuread_application_password',
      'azurerm_role_definition',
      'azurerm_role_assignment',
      'azurerm_virtual_network',
      'azurerm_subnet',
      'azurerm_private_dns_zone',
      'azurerm_private_dns_zone_virtual_network_link',
    ]) {
      expect(Object.keys(resources)).toContain(type);
    }
    const assignment = resources.azurerm_role_assignment.broker[0];
    // hcl2json renders an HCL reference as an interpolation string.
    expect(assignment.scope).toBe(['${', 'azurerm_resource_group.broker.id}'].join(''));
  });

  it('ships a terraform.tfvars.example that sets only declared variables', async () => {
    const example = (await parse(
      'terraform.tfvars',
      readFileSync(join(MODULE, 'terraform.tfvars.example'), 'utf8'),
    )) as Record<string, unknown>;
    const declared = new Set(Object.keys((await parsed('variables.tf')).variable ?? {}));
    expect(Object.keys(example).filter((k) => !declared.has(k))).toEqual([]);
    expect(Object.keys(example)).toEqual(expect.arrayContaining(['subscription_id', 'location']));
  });

  it.skipIf(terraform.status !== 0)('is terraform fmt-clean', () => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-diff', MODULE], { encoding: 'utf8' });
    expect(fmt.stdout).toBe('');
    expect(fmt.status).toBe(0);
  });
});

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';

const MODULE = join(process.cwd(), 'infra/terraform/aws');
const tfFiles = readdirSync(MODULE).filter((f) => f.endsWith('.tf'));

type Block = Record<string, unknown>;
interface TfFile {
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  resource?: Record<string, Record<string, Block[]>>;
}

async function parsed(): Promise<TfFile[]> {
  return Promise.all(tfFiles.map(async (f) => (await parse(f, readFileSync(join(MODULE, f), 'utf8'))) as TfFile));
}

describe('infra/terraform/aws', () => {
  it('parses with the HCL2 parser, declares every var it uses and documents every variable', async () => {
    const modules = await parsed();
    const declared = new Map<string, Record<string, unknown>>();
    for (const module of modules) {
      for (const [name, blocks] of Object.entries(module.variable ?? {})) declared.set(name, blocks[0] ?? {});
    }
    const used = new Set<string>();
    for (const file of tfFiles) {
      for (const match of readFileSync(join(MODULE, file), 'utf8').matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g))
        used.add(match[1] as string);
    }
    expect(used.size).toBeGreaterThan(3);
    expect([...used].filter((name) => !declared.has(name))).toEqual([]);
    for (const [name, variable] of declared) expect(typeof variable.description, `variable ${name}`).toBe('string');
    const example = readFileSync(join(MODULE, 'terraform.tfvars.example'), 'utf8');
    const exampleVars = Object.keys(await parse('terraform.tfvars.example', example));
    expect(exampleVars.filter((name) => !declared.has(name))).toEqual([]);
    for (const [name, variable] of declared) {
      if (!('default' in variable)) expect(exampleVars, `required variable ${name} in the example`).toContain(name);
    }
  });

  it('creates the state table with exactly the DynamoDB store schema', async () => {
    const table = (await parsed()).flatMap((m) => m.resource?.aws_dynamodb_table?.state ?? [])[0] ?? {};
    expect(table).toMatchObject({ billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', range_key: 'sk' });
    expect(table.attribute).toEqual([
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
    ]);
    expect(table.ttl).toEqual([{ attribute_name: 'ttl', enabled: true }]);
  });

  it('outputs what the omnibroker config needs and limits the role to its own stacks', async () => {
    const modules = await parsed();
    const outputs = Object.assign({}, ...modules.map((m) => m.output ?? {}));
    expect(Object.keys(outputs).sort()).toEqual([
      'omnibroker_config',
      'region',
      'role_arn',
      'state_table_name',
      'template_bucket',
    ]);
    const iam = readFileSync(join(MODULE, 'iam.tf'), 'utf8');
    expect(iam).toContain('stack/${var.stack_prefix}*/*');
    expect(iam).not.toMatch(/"cloudformation:\*"|"\*:\*"/);
  });

  it('is terraform fmt clean', () => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', MODULE], { encoding: 'utf8' });
    if (fmt.error !== undefined) return; // terraform not installed here: the parser checks above still ran
    expect(fmt.stdout).toBe('');
    expect(fmt.status).toBe(0);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';

const TERRAFORM = join(import.meta.dirname, '../../infra/terraform');
const MODULE = join(TERRAFORM, 'kubernetes');

type Hcl = {
  variable?: Record<string, { description?: string; default?: unknown; type?: string }[]>;
  locals?: Record<string, unknown>[];
  output?: Record<string, unknown[]>;
  terraform?: { required_providers?: Record<string, { source: string }>[] }[];
  resource?: Record<string, Record<string, { chart?: string }[]>>;
};

const parseFile = async (dir: string, file: string) =>
  (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Hcl;
const references = (text: string, kind: string) =>
  new Set([...text.matchAll(new RegExp(`\\b${kind}\\.([a-z_][a-z0-9_]*)`, 'g'))].map((m) => m[1] as string));

describe('infra/terraform/kubernetes', () => {
  const files = readdirSync(MODULE).filter((f) => f.endsWith('.tf'));
  let parsed: Hcl[] = [];
  let text = '';
  let variables: Hcl['variable'] & object = {};
  beforeAll(async () => {
    parsed = await Promise.all(files.map((f) => parseFile(MODULE, f)));
    text = parsed.map((p) => JSON.stringify(p)).join('\n');
    variables = Object.assign({}, ...parsed.map((p) => p.variable ?? {}));
  });

  it('declares and documents every variable it uses, and uses every variable it declares', () => {
    expect(files).toEqual(expect.arrayContaining(['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']));
    const used = references(text, 'var');
    const declared = new Set(Object.keys(variables));
    expect([...used].filter((v) => !declared.has(v))).toEqual([]);
    expect([...declared].filter((v) => !used.has(v))).toEqual([]);
    for (const [name, [variable]] of Object.entries(variables)) {
      expect(variable?.description, name).toMatch(/\S{3,}/);
      expect(variable?.type, name).toBeDefined();
    }
  });

  it('defines every local it uses', () => {
    const declared = new Set(parsed.flatMap((p) => (p.locals ?? []).flatMap((l) => Object.keys(l))));
    expect([...references(text, 'local')].filter((l) => !declared.has(l))).toEqual([]);
  });

  it('deploys the repository chart with the helm and kubernetes providers', () => {
    const providers = Object.assign({}, ...parsed.flatMap((p) => p.terraform?.[0]?.required_providers ?? []));
    expect(providers).toMatchObject({
      helm: { source: 'hashicorp/helm' },
      kubernetes: { source: 'hashicorp/kubernetes' },
    });
    const release = parsed.flatMap((p) => p.resource?.helm_release?.omnibroker ?? [])[0];
    expect(release?.chart).toBe(['$', '{local.chart_path}'].join(''));
    const chartPath = /"\$\{path\.module\}\/([^"]+)\\"/.exec(text)?.[1] ?? '';
    expect(existsSync(join(MODULE, chartPath, 'Chart.yaml'))).toBe(true);
  });

  it('has a terraform.tfvars.example that sets every required variable and only declared ones', async () => {
    const example = await parseFile(MODULE, 'terraform.tfvars.example');
    const set = Object.keys(example);
    expect(set.filter((name) => !(name in variables))).toEqual([]);
    const required = Object.entries(variables).filter(([, [v]]) => v !== undefined && !('default' in v));
    expect(required.map(([name]) => name).filter((name) => !set.includes(name))).toEqual([]);
  });

  it('names outputs of the aws and azure modules that those modules declare', async () => {
    const wired = Object.values(variables).flatMap(([v]) => [
      ...(v?.description ?? '').matchAll(/output (\w+) of infra\/terraform\/(aws|azure)/g),
    ]);
    expect(wired.length).toBeGreaterThanOrEqual(4);
    for (const [, output, module] of wired) {
      const dir = join(TERRAFORM, module ?? '');
      if (!existsSync(join(dir, 'outputs.tf'))) continue;
      const outputs = Object.keys((await parseFile(dir, 'outputs.tf')).output ?? {});
      expect(outputs, `infra/terraform/${module}`).toContain(output);
    }
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { SHIPPED_TEMPLATES } from '../../../src/backends/aws/index.ts';
import { createParametersSchema, updateParametersSchema } from '../../../src/backends/aws/parameter-schema.ts';
import { readServiceTemplate } from '../../../src/backends/aws/template-spec.ts';
import { parseTemplate } from '../../../src/backends/aws/template-yaml.ts';
import { unresolvedReferences } from '../../fakes/cloudformation/references.ts';
import { NETWORK } from './aws-test-backend.ts';

interface LintResult {
  templateValid: boolean;
  errors: { crit: Array<{ message: string; resource: string }> };
}
// cfn-lint 1.x still calls util.isUndefined, which Node 23 removed: restore that one helper before loading it.
const nodeUtil = createRequire(import.meta.url)('node:util') as { isUndefined?: (value: unknown) => boolean };
nodeUtil.isUndefined ??= (value) => value === undefined;
const cfnLint = createRequire(import.meta.url)('cfn-lint/lib/api.js') as {
  validateJsonObject(template: unknown, options: { parameters: Record<string, unknown> }): LintResult;
};

const files = readdirSync(SHIPPED_TEMPLATES).sort();
const load = (file: string) => {
  const body = readFileSync(join(SHIPPED_TEMPLATES, file), 'utf8');
  return readServiceTemplate(file, body, parseTemplate(body));
};
// cfn-lint resolves intrinsics in place: it always gets a copy.
const lint = (template: unknown) => cfnLint.validateJsonObject(structuredClone(template), { parameters: NETWORK });

describe.each(files)('shipped template %s', (file) => {
  const spec = load(file);

  it('passes cfn-lint against the CloudFormation resource specification', () => {
    const result = lint(spec.template);
    expect(result.errors.crit).toEqual([]);
    expect(result.templateValid).toBe(true);
  });

  it('is rejected by cfn-lint once a resource gets a property its type does not have', () => {
    const broken = structuredClone(spec.template) as {
      Resources: Record<string, { Properties?: Record<string, unknown> }>;
    };
    const first = Object.values(broken.Resources)[0] as { Properties?: Record<string, unknown> };
    first.Properties = { ...first.Properties, NotAPropertyOfThisType: 'x' };
    expect(lint(broken).templateValid).toBe(false);
  });

  it('resolves every Ref, GetAtt and Sub placeholder to a parameter, resource or pseudo parameter', () => {
    expect(unresolvedReferences(spec.template)).toEqual([]);
  });

  it('names only outputs the template has in its credential mapping', () => {
    const outputs = Object.keys(spec.template.Outputs as object);
    const credentials = spec.metadata.Credentials;
    expect(credentials).toBeDefined();
    for (const source of Object.values(credentials?.Values ?? {})) expect(outputs).toContain(source.Output);
    if (credentials?.BindHookOutput !== undefined) expect(outputs).toContain(credentials.BindHookOutput);
  });

  it('generates per-plan schemas that match the template parameters and accept the plan defaults', () => {
    const ajv = new Ajv.default({ strict: false });
    for (const plan of spec.metadata.Plans) {
      const create = createParametersSchema(spec, plan) as {
        properties: Record<string, Record<string, unknown>>;
        required?: string[];
      };
      const fixed = Object.keys(plan.Parameters ?? {});
      const expected = Object.keys(spec.parameters).filter((name) => !fixed.includes(name));
      expect(Object.keys(create.properties)).toEqual(expected);
      for (const [name, schema] of Object.entries(create.properties)) {
        const parameter = spec.parameters[name];
        expect(schema.type).toBe(
          parameter?.Type === 'Number' ? 'number' : parameter?.Type.startsWith('List<') ? 'array' : 'string',
        );
        if (parameter?.AllowedValues !== undefined) expect(schema.enum).toHaveLength(parameter.AllowedValues.length);
      }
      const validate = ajv.compile(create);
      const defaults = Object.fromEntries(
        Object.entries(create.properties)
          .filter(([, s]) => s.default !== undefined)
          .map(([k, s]) => [k, s.default]),
      );
      const sample = { ...defaults, ...(create.required?.includes('VpcId') ? NETWORK : {}) };
      expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
      expect(validate({ ...sample, NotDeclared: 'x' })).toBe(false);
      // Every fixed and default value of the plan is one the template parameter accepts.
      const allValues = { ...plan.Defaults, ...plan.Parameters };
      for (const [name, value] of Object.entries(allValues)) {
        const allowed = spec.parameters[name]?.AllowedValues;
        if (allowed !== undefined) expect(allowed.map(String)).toContain(String(value));
      }
      const update = updateParametersSchema(spec, plan) as { properties: Record<string, unknown> };
      for (const name of Object.keys(update.properties)) expect(spec.metadata.UpdatableParameters).toContain(name);
    }
  });
});

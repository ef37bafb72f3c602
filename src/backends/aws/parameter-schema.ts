import type { JsonObject } from '../../plugin-api/index.ts';
import type { CfnParameter, PlanSpec, ServiceTemplate } from './template-spec.ts';

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

function isNumberType(type: string): boolean {
  return type === 'Number';
}

function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

function numeric(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The JSON Schema of one CloudFormation parameter (draft-04 keywords only). */
export function parameterSchema(parameter: CfnParameter, defaultValue: unknown): JsonObject {
  const schema: JsonObject = {};
  if (parameter.Description !== undefined) schema.description = parameter.Description;
  if (isListType(parameter.Type)) {
    const itemType = parameter.Type === 'List<Number>' ? 'number' : 'string';
    schema.type = 'array';
    schema.items = { type: itemType };
    if (defaultValue !== undefined) {
      schema.default = String(defaultValue)
        .split(',')
        .filter((s) => s !== '')
        .map((s) => (itemType === 'number' ? Number(s) : s));
    }
    return schema;
  }
  const number = isNumberType(parameter.Type);
  schema.type = number ? 'number' : 'string';
  if (parameter.AllowedValues !== undefined) {
    schema.enum = parameter.AllowedValues.map((v) => (number ? numeric(v) : String(v)));
  }
  if (parameter.AllowedPattern !== undefined) schema.pattern = `^(?:${parameter.AllowedPattern})$`;
  if (parameter.MinLength !== undefined) schema.minLength = Number(parameter.MinLength);
  if (parameter.MaxLength !== undefined) schema.maxLength = Number(parameter.MaxLength);
  if (parameter.MinValue !== undefined) schema.minimum = Number(parameter.MinValue);
  if (parameter.MaxValue !== undefined) schema.maximum = Number(parameter.MaxValue);
  if (defaultValue !== undefined) schema.default = number ? numeric(defaultValue) : String(defaultValue);
  return schema;
}

/** Parameters a user may set for this plan: every template parameter the plan does not fix. */
export function userParameterNames(spec: ServiceTemplate, plan: PlanSpec): string[] {
  const fixed = plan.Parameters ?? {};
  return Object.keys(spec.parameters).filter((name) => !(name in fixed));
}

export function createParametersSchema(spec: ServiceTemplate, plan: PlanSpec): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const name of userParameterNames(spec, plan)) {
    const parameter = spec.parameters[name] as CfnParameter;
    const defaultValue = plan.Defaults?.[name] ?? parameter.Default;
    properties[name] = parameterSchema(parameter, defaultValue);
    if (defaultValue === undefined) required.push(name);
  }
  return {
    $schema: DRAFT_04,
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

export function updateParametersSchema(spec: ServiceTemplate, plan: PlanSpec): JsonObject {
  const updatable = new Set(spec.metadata.UpdatableParameters ?? []);
  const properties: JsonObject = {};
  for (const name of userParameterNames(spec, plan)) {
    if (updatable.has(name)) properties[name] = parameterSchema(spec.parameters[name] as CfnParameter, undefined);
  }
  return { $schema: DRAFT_04, type: 'object', properties, additionalProperties: false };
}

/** A parameter value as CloudFormation wants it: always a string, lists comma-joined. */
export function toCfnValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(',');
  return String(value);
}

import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { JsonObject } from '../../plugin-api/index.ts';

const DRAFT04 = 'http://json-schema.org/draft-04/schema#';
const DRAFT06 = 'http://json-schema.org/draft-06/schema#';
const MAX_SCHEMA_BYTES = 64 * 1024;

/** Keywords that exist in draft-04; draft-06 adds the second set. Anything else cannot be published to CC. */
const DRAFT04_KEYWORDS = new Set([
  '$schema',
  'id',
  '$ref',
  'title',
  'description',
  'default',
  'type',
  'enum',
  'format',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'additionalItems',
  'items',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'additionalProperties',
  'definitions',
  'properties',
  'patternProperties',
  'dependencies',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
]);
const DRAFT06_KEYWORDS = new Set(['$id', 'const', 'contains', 'propertyNames', 'examples']);
/** Keywords whose values are maps of name → subschema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);
/** Keywords whose values are data, not schemas: never walk into them. */
const DATA_KEYWORDS = new Set([
  'enum',
  'const',
  'default',
  'examples',
  'required',
  'title',
  'description',
  'format',
  'pattern',
]);

export type SchemaVerdict = { publish: JsonObject; rewritten?: string } | { publish: undefined; reason: string };

interface Walk {
  needsDraft06: boolean;
  problem?: string;
}

function walk(node: unknown, state: Walk, path: string): void {
  if (state.problem !== undefined || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) walk(child, state, `${path}/${i}`);
    return;
  }
  for (const [key, value] of Object.entries(node as JsonObject)) {
    if (key.startsWith('x-')) continue;
    if (DRAFT06_KEYWORDS.has(key)) state.needsDraft06 = true;
    else if (!DRAFT04_KEYWORDS.has(key)) {
      state.problem = `uses "${key}" at ${path || '/'}, which draft-04/06 lack`;
      return;
    }
    if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'number')
      state.needsDraft06 = true;
    if (key === '$ref' && (typeof value !== 'string' || !value.startsWith('#'))) {
      state.problem = `has an external $ref (${String(value)})`;
      return;
    }
    if (DATA_KEYWORDS.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object') {
      for (const [name, sub] of Object.entries(value as JsonObject)) walk(sub, state, `${path}/${key}/${name}`);
    } else {
      walk(value, state, `${path}/${key}`);
    }
  }
}

// CC checks each schema against its draft's meta-schema: `required: []` is valid draft-06 but not draft-04.
const draft04Meta = new AjvDraft04.default({ strict: false });
const draft06Meta = (() => {
  const ajv = new Ajv({ strict: false });
  ajv.addMetaSchema(draft06MetaSchema);
  return ajv;
})();

function metaSchemaProblem(candidate: JsonObject): string | undefined {
  const ajv = candidate.$schema === DRAFT04 ? draft04Meta : draft06Meta;
  return ajv.validateSchema(candidate) === true ? undefined : ajv.errorsText(ajv.errors, { dataVar: 'schema' });
}

/** The schema under `target`'s exact `$schema`, with the id keyword that draft uses. */
function relabelled(schema: JsonObject, target: string): JsonObject {
  if (schema.$schema === target) return schema;
  const { id, $id, ...rest } = schema;
  const idKey =
    target === DRAFT04 ? { ...(id === undefined ? {} : { id }) } : { ...($id === undefined ? {} : { $id }) };
  return { ...rest, ...idKey, $schema: target };
}

/**
 * What Cloud Controller accepts of one parameters schema (OSB-RULES 21): exactly the draft-04 or draft-06
 * `$schema`, valid under that meta-schema, at most 64 KiB, no external `$ref`. A schema of another draft that
 * only uses draft-04/06 keywords is relabelled; one that cannot be expressed is not published (the gateway
 * still validates with the original).
 */
export function cloudControllerSchema(schema: JsonObject): SchemaVerdict {
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) {
    return { publish: undefined, reason: 'is larger than 64 KiB' };
  }
  const state: Walk = { needsDraft06: false };
  walk(schema, state, '');
  if (state.problem !== undefined) return { publish: undefined, reason: state.problem };
  const declared = typeof schema.$schema === 'string' ? schema.$schema : undefined;
  const normalised = declared?.replace(/^https:/, 'http:').replace(/#?$/, '#');
  const targets = state.needsDraft06 || normalised === DRAFT06 ? [DRAFT06] : [DRAFT04, DRAFT06];
  const problems: string[] = [];
  for (const target of targets) {
    const candidate = relabelled(schema, target);
    const problem = metaSchemaProblem(candidate);
    if (problem !== undefined) {
      problems.push(`${target === DRAFT04 ? 'draft-04' : 'draft-06'}: ${problem}`);
      continue;
    }
    if (candidate === schema) return { publish: schema };
    return {
      publish: candidate,
      rewritten: `$schema ${declared ?? '(none)'} relabelled ${target} (valid ${target === DRAFT04 ? 'draft-04' : 'draft-06'})`,
    };
  }
  return { publish: undefined, reason: `is not a valid draft-04/06 schema (${problems.join('; ')})` };
}

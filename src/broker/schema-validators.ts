import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import addFormats from 'ajv-formats';
import type { JsonObject } from '../plugin-api/index.ts';

export type ParameterCheck = (parameters: JsonObject) => string[];

const OPTIONS = { allErrors: true, strict: false, validateFormats: true } as const;

type AnyAjv = Pick<Ajv, 'compile'>;

// CommonJS packages: their class/function is `.default` both in the types and at run time.
function withFormats<T extends AnyAjv>(ajv: T): T {
  addFormats.default(ajv as unknown as Ajv);
  return ajv;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'parameters' : `parameters${error.instancePath.replace(/\//g, '.')}`;
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown parameter "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === 'required') {
    return `${where}.${(error.params as { missingProperty: string }).missingProperty}: is required`;
  }
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}

/**
 * Compiles each distinct parameters schema once, with the draft its `$schema` names (the backend's own schema,
 * whatever is published). A schema that does not compile rejects nothing and is reported once.
 */
export class SchemaValidators {
  private readonly byHash = new Map<string, ParameterCheck>();
  private readonly draft04 = withFormats(new AjvDraft04.default(OPTIONS) as unknown as Ajv);
  private readonly draft07 = (() => {
    const ajv = withFormats(new Ajv(OPTIONS));
    ajv.addMetaSchema(draft06);
    return ajv;
  })();
  private readonly draft2019 = withFormats(new Ajv2019(OPTIONS) as unknown as Ajv);
  private readonly draft2020 = withFormats(new Ajv2020(OPTIONS) as unknown as Ajv);

  constructor(private readonly onCompileError: (reason: string) => void) {}

  private ajvFor(schema: JsonObject): Ajv {
    const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
    if (declared.includes('draft-04')) return this.draft04;
    if (declared.includes('2019-09')) return this.draft2019;
    if (declared.includes('2020-12')) return this.draft2020;
    return this.draft07;
  }

  checkFor(schema: JsonObject): ParameterCheck {
    const hash = createHash('sha256').update(JSON.stringify(schema)).digest('base64url');
    const cached = this.byHash.get(hash);
    if (cached !== undefined) return cached;
    let check: ParameterCheck;
    try {
      const { $id: _id, id: _legacyId, ...withoutId } = schema;
      const validate: ValidateFunction = this.ajvFor(schema).compile(withoutId);
      check = (parameters) => (validate(parameters) ? [] : (validate.errors ?? []).map(describe));
    } catch (error) {
      this.onCompileError((error as Error).message);
      check = () => [];
    }
    this.byHash.set(hash, check);
    return check;
  }
}

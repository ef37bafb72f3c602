import AjvDraft04 from 'ajv-draft-04';
import { Ajv } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import semver from 'semver';

/**
 * Cloud Controller's catalog validation as OSB-RULES 21 states it, written apart from the broker's own rewrite
 * rules: one bad entry makes CC reject the whole catalog. Each rule answers what it finds wrong; empty = passes.
 */
type Json = Record<string, unknown>;

interface Entry {
  service: Json;
  /** `service.plans` when it is an array of objects, else empty. */
  plans: Json[];
  where: string;
}

export interface CcRule {
  name: string;
  check(catalog: unknown): string[];
}

const DRAFT04 = 'http://json-schema.org/draft-04/schema#';
const DRAFT06 = 'http://json-schema.org/draft-06/schema#';
const MAX_SCHEMA_BYTES = 64 * 1024;
const ALLOWED_REQUIRES = new Set(['syslog_drain', 'route_forwarding', 'volume_mount']);

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

function entries(catalog: unknown): Entry[] {
  const services = isObject(catalog) && Array.isArray(catalog.services) ? catalog.services : [];
  return services.map((service, i) => {
    const s = isObject(service) ? service : {};
    const plans = Array.isArray(s.plans) ? s.plans.filter(isObject) : [];
    return { service: s, plans, where: `service ${String(s.id ?? `#${i}`)}` };
  });
}

/** Every (where, plan) pair of the catalog. */
function plansOf(catalog: unknown): Array<{ where: string; plan: Json; service: Json }> {
  return entries(catalog).flatMap(({ service, plans, where }) =>
    plans.map((plan) => ({ where: `${where} plan ${String(plan.id)}`, plan, service })),
  );
}

function schemasOf(plan: Json): Array<{ path: string; schema: unknown }> {
  const schemas = isObject(plan.schemas) ? plan.schemas : {};
  const out: Array<{ path: string; schema: unknown }> = [];
  for (const [group, actions] of [
    ['service_instance', ['create', 'update']],
    ['service_binding', ['create']],
  ] as const) {
    const holder = schemas[group];
    if (!isObject(holder)) continue;
    for (const action of actions) {
      const slot = holder[action];
      if (isObject(slot) && 'parameters' in slot) out.push({ path: `${group}.${action}`, schema: slot.parameters });
    }
  }
  return out;
}

function externalRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) externalRefs(child, found);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && (typeof value !== 'string' || !value.startsWith('#'))) found.push(String(value));
      else externalRefs(value, found);
    }
  }
  return found;
}

const draft04 = new AjvDraft04.default({ strict: false });
const draft06Ajv = (() => {
  const ajv = new Ajv({ strict: false });
  ajv.addMetaSchema(draft06);
  return ajv;
})();

const everyPlanSchema = (catalog: unknown, problem: (schema: unknown) => string | undefined): string[] =>
  plansOf(catalog).flatMap(({ where, plan }) =>
    schemasOf(plan).flatMap(({ path, schema }) => {
      const found = problem(schema);
      return found === undefined ? [] : [`${where} ${path}: ${found}`];
    }),
  );

export const CC_RULES: CcRule[] = [
  {
    name: 'every service has id, name, description, a boolean bindable and at least one plan',
    check: (catalog) =>
      entries(catalog).flatMap(({ service, plans, where }) => [
        ...(['id', 'name', 'description'] as const).filter((f) => !isText(service[f])).map((f) => `${where}: no ${f}`),
        ...(typeof service.bindable === 'boolean' ? [] : [`${where}: bindable is not a boolean`]),
        ...(plans.length > 0 && Array.isArray(service.plans) && plans.length === service.plans.length
          ? []
          : [`${where}: no plans, or a plan that is not an object`]),
      ]),
  },
  {
    name: 'every plan has id, name, description and boolean flags',
    check: (catalog) =>
      plansOf(catalog).flatMap(({ where, plan }) => [
        ...(['id', 'name', 'description'] as const).filter((f) => !isText(plan[f])).map((f) => `${where}: no ${f}`),
        ...(['free', 'bindable', 'plan_updateable'] as const)
          .filter((f) => f in plan && typeof plan[f] !== 'boolean')
          .map((f) => `${where}: ${f} is not a boolean`),
      ]),
  },
  {
    name: 'descriptions are at most 10,000 characters',
    check: (catalog) => [
      ...entries(catalog)
        .filter(({ service }) => String(service.description ?? '').length > 10_000)
        .map(({ where }) => `${where}: description too long`),
      ...plansOf(catalog)
        .filter(({ plan }) => String(plan.description ?? '').length > 10_000)
        .map(({ where }) => `${where}: description too long`),
    ],
  },
  {
    name: "a service's tags are strings and fit in 2,048 characters",
    // The JSON length: at least as long as any way of joining them.
    check: (catalog) =>
      entries(catalog).flatMap(({ service, where }) => {
        if (service.tags === undefined) return [];
        if (!Array.isArray(service.tags) || !service.tags.every((t) => typeof t === 'string'))
          return [`${where}: tags is not an array of strings`];
        return JSON.stringify(service.tags).length > 2048 ? [`${where}: tags longer than 2,048 characters`] : [];
      }),
  },
  {
    name: 'requires only syslog_drain, route_forwarding, volume_mount',
    check: (catalog) =>
      entries(catalog).flatMap(({ service, where }) => {
        if (service.requires === undefined) return [];
        if (!Array.isArray(service.requires)) return [`${where}: requires is not an array`];
        return service.requires
          .filter((r) => !ALLOWED_REQUIRES.has(String(r)))
          .map((r) => `${where}: requires ${String(r)}`);
      }),
  },
  {
    name: 'maintenance_info has only a semver version and a description, in at most 2,000 JSON characters',
    check: (catalog) =>
      plansOf(catalog).flatMap(({ where, plan }) => {
        const info = plan.maintenance_info;
        if (info === undefined) return [];
        if (!isObject(info)) return [`${where}: maintenance_info is not an object`];
        const problems = Object.keys(info)
          .filter((k) => k !== 'version' && k !== 'description')
          .map((k) => `${where}: maintenance_info.${k}`);
        if (typeof info.version !== 'string' || semver.valid(info.version) === null)
          problems.push(`${where}: maintenance_info.version ${JSON.stringify(info.version)} is not semver`);
        if (JSON.stringify(info).length > 2000) problems.push(`${where}: maintenance_info too long`);
        return problems;
      }),
  },
  {
    name: 'ids and names are at most 255 characters',
    check: (catalog) =>
      [
        ...entries(catalog).map(({ service, where }) => ({ item: service, where })),
        ...plansOf(catalog).map(({ plan, where }) => ({ item: plan, where })),
      ].flatMap(({ item, where }) =>
        (['id', 'name'] as const)
          .filter((f) => String(item[f] ?? '').length > 255)
          .map((f) => `${where.slice(0, 80)}: ${f} longer than 255 characters`),
      ),
  },
  {
    name: 'service ids and names are unique in the catalog',
    check: (catalog) => {
      const problems: string[] = [];
      for (const field of ['id', 'name'] as const) {
        const seen = new Set<unknown>();
        for (const { service, where } of entries(catalog)) {
          if (seen.has(service[field])) problems.push(`${where}: service ${field} repeats`);
          seen.add(service[field]);
        }
      }
      return problems;
    },
  },
  {
    name: 'plan ids are unique across the whole catalog',
    check: (catalog) => {
      const seen = new Set<unknown>();
      return plansOf(catalog).flatMap(({ plan, where }) => {
        const repeated = seen.has(plan.id);
        seen.add(plan.id);
        return repeated ? [`${where}: plan id repeats`] : [];
      });
    },
  },
  {
    name: 'plan names are unique per service, ignoring case',
    check: (catalog) =>
      entries(catalog).flatMap(({ plans, where }) => {
        const names = plans.map((p) => String(p.name).toLowerCase());
        return names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${where}: plan name ${n} repeats`);
      }),
  },
  {
    name: 'metadata.documentationUrl is a string where present',
    check: (catalog) =>
      [
        ...entries(catalog).map(({ service, where }) => ({ metadata: service.metadata, where })),
        ...plansOf(catalog).map(({ plan, where }) => ({ metadata: plan.metadata, where })),
      ].flatMap(({ metadata, where }) =>
        isObject(metadata) && 'documentationUrl' in metadata && typeof metadata.documentationUrl !== 'string'
          ? [`${where}: documentationUrl is not a string`]
          : [],
      ),
  },
  {
    name: 'every parameters schema declares draft-04 or draft-06',
    check: (catalog) =>
      everyPlanSchema(catalog, (schema) =>
        isObject(schema) && (schema.$schema === DRAFT04 || schema.$schema === DRAFT06)
          ? undefined
          : `$schema is ${JSON.stringify(isObject(schema) ? schema.$schema : schema)}`,
      ),
  },
  {
    name: 'every parameters schema is valid under the draft it declares',
    check: (catalog) =>
      everyPlanSchema(catalog, (schema) => {
        if (!isObject(schema)) return 'not an object';
        const ajv = schema.$schema === DRAFT06 ? draft06Ajv : schema.$schema === DRAFT04 ? draft04 : undefined;
        if (ajv === undefined) return undefined; // the rule above reports it
        return ajv.validateSchema(schema) === true ? undefined : ajv.errorsText(ajv.errors);
      }),
  },
  {
    name: 'every parameters schema is at most 64 KiB',
    check: (catalog) =>
      everyPlanSchema(catalog, (schema) =>
        Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES ? 'larger than 64 KiB' : undefined,
      ),
  },
  {
    name: 'no parameters schema has an external $ref',
    check: (catalog) =>
      everyPlanSchema(catalog, (schema) => {
        const refs = externalRefs(schema);
        return refs.length === 0 ? undefined : `external $ref ${refs.join(', ')}`;
      }),
  },
];

/** Everything CC would reject in a catalog. */
export function ccCatalogViolations(catalog: unknown): string[] {
  return CC_RULES.flatMap((rule) => rule.check(catalog));
}

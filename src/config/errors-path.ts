import type { ErrorObject } from 'ajv';

/** `/backends/2/options/url` → `backends[2].options.url`, after `root`. */
function pathOf(instancePath: string, root: string): string {
  let path = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  }
  return path;
}

const atPath = (path: string, message: string) => `${path === '' ? '<root>' : path}: ${message}`;

/** Turns an Ajv error into `backends[2].options.url: must be string`. */
export function describeAjvError(error: ErrorObject, root = ''): string {
  const path = pathOf(error.instancePath, root);
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path === '' ? '' : `${path}.`}${extra}: unknown option`;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `${path === '' ? '' : `${path}.`}${missing}: is required`;
  }
  return atPath(path, error.message ?? 'is invalid');
}

/** What a union branch wanted when the value is of the wrong kind altogether (`boolean`, `"info"`). */
function wanted(error: ErrorObject): string[] | undefined {
  const params = error.params as { type?: string | string[]; allowedValue?: unknown; allowedValues?: unknown[] };
  if (error.keyword === 'type') return [params.type ?? []].flat();
  if (error.keyword === 'const') return [JSON.stringify(params.allowedValue)];
  if (error.keyword === 'enum') return (params.allowedValues ?? []).map((v) => JSON.stringify(v));
  return undefined;
}

function oneOfThese(alternatives: string[]): string {
  if (alternatives.length <= 2) return `must be ${alternatives.join(' or ')}`;
  return `must be one of ${alternatives.join(', ')}`;
}

/**
 * Every error, with each union (anyOf/oneOf) folded: when some branch got past the value's kind, only that
 * branch's errors are said (`state.tls.caFil: unknown option`); when none did, one line names what would do
 * (`state.tls: must be boolean or object`) instead of one line per branch and a "must match a schema in anyOf".
 */
export function describeAjvErrors(errors: ErrorObject[], root = ''): string[] {
  const dropped = new Set<ErrorObject>();
  const folded = new Map<ErrorObject, string>();
  for (const union of errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const branches = errors.filter((e) => e !== union && e.schemaPath.startsWith(`${union.schemaPath}/`));
    const kindMismatches = branches.filter((e) => e.instancePath === union.instancePath && wanted(e) !== undefined);
    for (const e of kindMismatches) dropped.add(e);
    if (branches.length > kindMismatches.length) {
      dropped.add(union);
      continue;
    }
    const alternatives = [...new Set(kindMismatches.flatMap((e) => wanted(e) ?? []))];
    if (alternatives.length > 0) folded.set(union, oneOfThese(alternatives));
  }
  const lines = errors
    .filter((e) => !dropped.has(e))
    .map((e) => {
      const message = folded.get(e);
      return message === undefined ? describeAjvError(e, root) : atPath(pathOf(e.instancePath, root), message);
    });
  return [...new Set(lines)];
}

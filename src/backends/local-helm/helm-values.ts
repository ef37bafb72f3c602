import { errors, type JsonObject } from '../../plugin-api/index.ts';

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Paths where `parameters` sets something that the operator's fixed `settings` set differently. */
function overriddenPaths(parameters: JsonObject, settings: JsonObject, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, fixed] of Object.entries(settings)) {
    if (!(key in parameters)) continue;
    const given = parameters[key];
    const path = `${prefix}${key}`;
    if (isObject(fixed) && isObject(given)) paths.push(...overriddenPaths(given, fixed, `${path}.`));
    else if (JSON.stringify(given) !== JSON.stringify(fixed)) paths.push(path);
  }
  return paths;
}

function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Helm values for a release: the user's parameters with the operator's fixed settings on top. */
export function helmValues(parameters: JsonObject, settings: JsonObject | undefined): JsonObject {
  if (settings === undefined) return parameters;
  const overridden = overriddenPaths(parameters, settings);
  if (overridden.length > 0) {
    throw errors.invalidParameters(`these values are fixed by the broker and cannot be set: ${overridden.join(', ')}`);
  }
  return deepMerge(parameters, settings);
}

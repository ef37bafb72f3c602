import type { ErrorObject } from 'ajv';

/** Turns an Ajv error into `backends[2].options.url: must be string`. */
export function describeAjvError(error: ErrorObject, root = ''): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = root;
  for (const segment of segments)
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path === '' ? '' : `${path}.`}${extra}: unknown option`;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `${path === '' ? '' : `${path}.`}${missing}: is required`;
  }
  return `${path === '' ? '<root>' : path}: ${error.message ?? 'is invalid'}`;
}

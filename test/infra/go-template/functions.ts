import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

/** Go template truthiness: false, 0, nil, "" and empty lists and maps are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How `{{ value }}` prints; a map or list printed as text is a chart bug (Go would print map[...]). */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw new Error(`cannot print a ${Array.isArray(value) ? 'list' : 'map'}; use toYaml`);
  return String(value);
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function indent(spaces: unknown, value: unknown): string {
  const pad = ' '.repeat(Number(spaces));
  return text(value)
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

function printf(format: unknown, ...args: unknown[]): string {
  let next = 0;
  return text(format).replace(/%[svd%]/g, (verb) => (verb === '%%' ? '%' : text(args[next++])));
}

/** Sprig and Helm functions the chart uses, with Helm's argument order (the piped value comes last). */
export const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  toYaml: (value) => (value === null || value === undefined ? '' : stringify(value).trimEnd()),
  toJson: (value) => JSON.stringify(value),
  nindent: (spaces, value) => `\n${indent(spaces, value)}`,
  indent,
  quote: (value) => JSON.stringify(text(value)),
  default: (fallback, value) => (truthy(value) ? value : fallback),
  required: (message, value) => {
    if (value === null || value === undefined || value === '') throw new Error(text(message));
    return value;
  },
  fail: (message) => {
    throw new Error(text(message));
  },
  b64enc: (value) => Buffer.from(text(value)).toString('base64'),
  sha256sum: (value) => createHash('sha256').update(text(value)).digest('hex'),
  trunc: (length, value) => text(value).slice(0, Number(length)),
  trimSuffix: (suffix, value) => {
    const s = text(value);
    return s.endsWith(text(suffix)) ? s.slice(0, s.length - text(suffix).length) : s;
  },
  contains: (needle, haystack) => text(haystack).includes(text(needle)),
  printf,
  int: (value) => Math.trunc(Number(value)),
  eq: (first, ...others) => others.some((o) => o === first),
  ne: (a, b) => a !== b,
  gt: (a, b) => Number(a) > Number(b),
  not: (value) => !truthy(value),
  and: (...values) => values.find((v) => !truthy(v)) ?? values[values.length - 1],
  or: (...values) => values.find((v) => truthy(v)) ?? values[values.length - 1],
};

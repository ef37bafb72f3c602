import { createHash, randomUUID } from 'node:crypto';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 122 random bits; randomUUID draws from a cached entropy pool, randomBytes asks OpenSSL on every call. */
export const newSalt = (): string => randomUUID();

/** Order-independent hash of what makes two requests "identical" in the OSB idempotency table. */
export function requestHash(salt: string, request: Record<string, unknown>): string {
  return createHash('sha256').update(salt).update(canonical(request)).digest('base64url');
}

import { createHash, randomBytes } from 'node:crypto';

/** A random password of URL-safe characters (no quoting needed in URIs, shells or SQL). */
export function randomPassword(length = 32): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * A short, stable name derived from an OSB id (which may be any string): `prefix` plus hex of its hash.
 * Stable so that a repeated call after a crash addresses the same resource.
 */
export function derivedName(prefix: string, id: string, hexLength = 16): string {
  return `${prefix}${createHash('sha256').update(id).digest('hex').slice(0, hexLength)}`;
}

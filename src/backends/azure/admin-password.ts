import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * The administrator password of one server, generated as HMAC-SHA256(key, server resource id). Derived rather
 * than random so that a database-only instance (which never sees its parent's secrets) can still reach its
 * parent server, and so that a provision repeated after a crash sends Azure the same password again.
 * Always contains upper, lower and digit characters, as Azure's password policy demands.
 */
export function adminPasswordFor(key: string, serverResourceId: string): string {
  const digest = createHmac('sha256', key).update(serverResourceId.toLowerCase()).digest();
  let body = '';
  for (const byte of digest.subarray(0, 28)) body += ALPHABET[byte % ALPHABET.length];
  return `Ob7${body}`;
}

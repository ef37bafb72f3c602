import * as crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Refusal } from './refusal.ts';

export interface AuthSettings {
  basic: Array<{ username: string; password: string }>;
  bearer: Array<{ token: string }>;
}

/**
 * One-shot `crypto.hash` (Node ≥ 20.12) costs a fraction of a Hash object; older 20.x releases lack it (so it is
 * not a named import, which would fail to link there) and fall back.
 */
const digest: (value: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'buffer')
    : (value) => crypto.createHash('sha256').update(value).digest();

/** Compares fixed-length digests in constant time, and checks every credential so timing says nothing. */
function matchesAny(candidate: string, accepted: Buffer[]): boolean {
  const given = digest(candidate);
  let found = false;
  for (const expected of accepted) found = crypto.timingSafeEqual(given, expected) || found;
  return found;
}

export function authRefusal(settings: AuthSettings): (request: FastifyRequest) => Refusal | undefined {
  const basic = settings.basic.map((b) => digest(`${b.username}:${b.password}`));
  const bearer = settings.bearer.map((b) => digest(b.token));
  const refusal: Refusal = {
    status: 401,
    error: 'Unauthorized',
    description: 'missing or wrong broker credentials',
    headers: { 'www-authenticate': basic.length > 0 ? 'Basic realm="omnibroker"' : 'Bearer' },
  };
  return (request) => {
    const header = request.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const scheme = header.slice(0, Math.max(space, 0)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1);
    if (scheme === 'basic' && basic.length > 0) {
      if (matchesAny(Buffer.from(value, 'base64').toString('utf8'), basic)) return undefined;
    } else if (scheme === 'bearer' && bearer.length > 0) {
      if (matchesAny(value, bearer)) return undefined;
    }
    return refusal;
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Refusal } from './refusal.ts';

export interface AuthSettings {
  basic: Array<{ username: string; password: string }>;
  bearer: Array<{ token: string }>;
}

/**
 * Compares in constant time against every accepted secret, so timing says neither which one matched nor how much
 * of it. timingSafeEqual needs equal lengths: a candidate of another length is compared against the secret itself
 * (the same work) and counts as no match. No hashing: a SHA-256 per request cost more than the rest of auth.
 */
function matchesAny(candidate: string, accepted: Buffer[]): boolean {
  const given = Buffer.from(candidate, 'utf8');
  let found = false;
  for (const expected of accepted) {
    const sameLength = given.length === expected.length;
    const equal = timingSafeEqual(sameLength ? given : expected, expected);
    found = (sameLength && equal) || found;
  }
  return found;
}

export function authRefusal(settings: AuthSettings): (request: FastifyRequest) => Refusal | undefined {
  const basic = settings.basic.map((b) => Buffer.from(`${b.username}:${b.password}`, 'utf8'));
  const bearer = settings.bearer.map((b) => Buffer.from(b.token, 'utf8'));
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

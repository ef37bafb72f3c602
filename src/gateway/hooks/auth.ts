import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export interface AuthSettings {
  basic: Array<{ username: string; password: string }>;
  bearer: Array<{ token: string }>;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares fixed-length digests in constant time, and checks every credential so timing says nothing. */
function matchesAny(candidate: string, accepted: Buffer[]): boolean {
  const given = digest(candidate);
  let found = false;
  for (const expected of accepted) found = timingSafeEqual(given, expected) || found;
  return found;
}

export function authHook(settings: AuthSettings) {
  const basic = settings.basic.map((b) => digest(`${b.username}:${b.password}`));
  const bearer = settings.bearer.map((b) => digest(b.token));
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const header = request.headers.authorization ?? '';
    const [scheme, value = ''] = header.split(' ', 2);
    let ok = false;
    if (scheme?.toLowerCase() === 'basic' && basic.length > 0) {
      ok = matchesAny(Buffer.from(value, 'base64').toString('utf8'), basic);
    } else if (scheme?.toLowerCase() === 'bearer' && bearer.length > 0) {
      ok = matchesAny(value, bearer);
    }
    if (ok) {
      done();
      return;
    }
    reply
      .code(401)
      .header('www-authenticate', basic.length > 0 ? 'Basic realm="omnibroker"' : 'Bearer')
      .type('application/json')
      .send({ error: 'Unauthorized', description: 'missing or wrong broker credentials' });
  };
}

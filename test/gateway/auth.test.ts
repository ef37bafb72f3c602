import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { authRefusal, sameSecret } from '../../src/gateway/hooks/auth.ts';

const request = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as FastifyRequest;
const basicHeader = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('sameSecret', () => {
  it('is true only for the same text', () => {
    expect(sameSecret('s3cret', 's3cret')).toBe(true);
    for (const other of ['s3creT', 's3cre', 's3cret!', '', 'x3cret', '\u0000s3cret']) {
      expect(sameSecret(other, 's3cret'), JSON.stringify(other)).toBe(false);
    }
    expect(sameSecret('', '')).toBe(true);
    expect(sameSecret('pässwörd', 'pässwörd')).toBe(true);
    expect(sameSecret('pässwörd', 'passwörd')).toBe(false);
  });

  it('does not take a candidate that only differs past the secret (a longer one with the same start)', () => {
    expect(sameSecret('abc\u0000', 'abc')).toBe(false);
  });
});

describe('authRefusal', () => {
  const check = authRefusal({
    basic: [
      { username: 'platform', password: 'first-password' },
      { username: 'korifi', password: 'pässwörd' },
    ],
    bearer: [],
  });

  it('lets every configured user in, by the canonical base64 and by other spellings of the same bytes', () => {
    expect(check(request(basicHeader('platform:first-password')))).toBeUndefined();
    expect(check(request(basicHeader('korifi:pässwörd')))).toBeUndefined();
    // 'platform:first-password' is 23 bytes: its base64 ends in '=', which some clients leave off.
    const unpadded = basicHeader('platform:first-password').replace(/=+$/, '');
    expect(unpadded).not.toBe(basicHeader('platform:first-password'));
    expect(check(request(unpadded))).toBeUndefined();
    expect(check(request(`BASIC ${basicHeader('platform:first-password').slice(6)}`))).toBeUndefined();
  });

  it('refuses near misses, other users, the other scheme and no header with a 401 that names Basic', () => {
    for (const text of [
      'platform:first-passworD',
      'platform:first-passwor',
      'platform:first-password2',
      'korifi:first-password',
      'platform:pässwörd',
    ]) {
      const refusal = check(request(basicHeader(text)));
      expect(refusal?.status, text).toBe(401);
    }
    expect(check(request('Bearer first-password'))?.status).toBe(401);
    expect(check(request(''))?.status).toBe(401);
    expect(check(request())?.headers?.['www-authenticate']).toBe('Basic realm="omnibroker"');
  });

  it('takes bearer tokens when they are configured', () => {
    const bearerOnly = authRefusal({ basic: [], bearer: [{ token: 'tok-1' }, { token: 'tok-22' }] });
    expect(bearerOnly(request('Bearer tok-1'))).toBeUndefined();
    expect(bearerOnly(request('bearer tok-22'))).toBeUndefined();
    for (const header of ['Bearer tok-2', 'Bearer tok-12', 'Bearer tok-222', basicHeader('x:tok-1')]) {
      expect(bearerOnly(request(header))?.status, header).toBe(401);
    }
    expect(bearerOnly(request())?.headers?.['www-authenticate']).toBe('Bearer');
  });
});

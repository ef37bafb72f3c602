import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** What Entra puts in an app-only (client-credentials) access token for a resource. */
export interface AppTokenClaims {
  tenantId: string;
  clientId: string;
  /** The resource the token is for: the scope without `/.default`. */
  audience: string;
  lifetimeSeconds: number;
}

const b64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

/**
 * JWT-shaped access tokens (header.payload.signature, v1 app-only claims as ARM receives them), signed with a
 * key only this fake holds, so the fake ARM can check that a bearer token really came from it and is still valid.
 * HS256 stands in for Entra's RS256: nothing outside the fakes verifies these.
 */
export class AccessTokens {
  private readonly key = randomBytes(32);
  private readonly keyId = randomUUID();

  issue(claims: AppTokenClaims): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: this.keyId }));
    const payload = b64url(
      JSON.stringify({
        aud: claims.audience,
        iss: `https://sts.windows.net/${claims.tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + claims.lifetimeSeconds,
        appid: claims.clientId,
        appidacr: '1',
        idtyp: 'app',
        oid: claims.clientId,
        sub: claims.clientId,
        tid: claims.tenantId,
        uti: randomUUID(),
        ver: '1.0',
      }),
    );
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  /** True for a token this fake issued, unexpired, for `audience`. */
  verify(token: string, audience: string): boolean {
    const [header, payload, signature, ...rest] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) return false;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: string; exp?: number };
    return claims.aud === audience && (claims.exp ?? 0) > Date.now() / 1000;
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

import { errors } from '../../plugin-api/index.ts';

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** What a registry's `401` asks for: `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`. */
export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** The Bearer challenge of a `WWW-Authenticate` header (RFC 6750 §3); `undefined` for any other scheme. */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  const params = header === null ? undefined : /^\s*Bearer\s+(.*)$/is.exec(header)?.[1];
  if (params === undefined) return undefined;
  const values = new Map<string, string>();
  for (const [, key, quoted, bare] of params.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    values.set(key!.toLowerCase(), quoted === undefined ? bare! : quoted.replace(/\\(.)/g, '$1'));
  }
  const realm = values.get('realm');
  if (realm === undefined) return undefined;
  const service = values.get('service');
  const scope = values.get('scope');
  return { realm, ...(service === undefined ? {} : { service }), ...(scope === undefined ? {} : { scope }) };
}

interface Token {
  value: string;
  expiresAt: number;
}

/** Token servers must grant at least this long; it is also the lifetime when the answer names none. */
const DEFAULT_LIFETIME_S = 60;
/** Renew a little early, so a token does not expire between the check and the request. */
const RENEW_BEFORE_MS = 10_000;

/**
 * Bearer tokens of the Docker token flow (the registry's 401 names a token service; a GET there, with basic
 * auth when credentials are configured, answers a token), one per repository, reused until shortly before expiry.
 */
export class RegistryTokens {
  private readonly tokens = new Map<string, Token>();

  constructor(private readonly credentials: RegistryCredentials | undefined) {}

  /** Who the registry sees, for messages (never the password). */
  get identity(): string {
    return this.credentials === undefined ? 'anonymous' : `user "${this.credentials.username}"`;
  }

  current(repository: string): string | undefined {
    const token = this.tokens.get(repository);
    return token !== undefined && token.expiresAt > Date.now() ? token.value : undefined;
  }

  async obtain(repository: string, challenge: BearerChallenge, signal: AbortSignal): Promise<string> {
    let url: URL;
    try {
      url = new URL(challenge.realm);
    } catch (cause) {
      throw errors.unavailable(`the OCI registry names a token service that is no URL: ${challenge.realm}`, { cause });
    }
    if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', challenge.scope ?? `repository:${repository}:pull`);
    const service = `${url.origin}${url.pathname}`;
    const headers: Record<string, string> = {};
    if (this.credentials !== undefined) {
      const { username, password } = this.credentials;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const response = await fetch(url, { headers, signal }).catch((cause: unknown) => {
      throw errors.unavailable(`cannot reach the registry token service ${service}: ${String(cause)}`, { cause });
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw errors.unavailable(
        `the registry token service ${service} refused ${this.identity} access (HTTP ${response.status}): check registryUsername and registryPassword`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw errors.unavailable(`the registry token service ${service} answered HTTP ${response.status}`);
    }
    const body = (await response.json().catch(() => ({}))) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const value = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof value !== 'string' || value === '') {
      throw errors.unavailable(`the registry token service ${service} answered no token`);
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : DEFAULT_LIFETIME_S;
    this.tokens.set(repository, { value, expiresAt: Date.now() + lifetime * 1000 - RENEW_BEFORE_MS });
    return value;
  }
}

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type Action = 'pull' | 'push';

interface IssuedToken {
  /** `<repository>:<action>` pairs the token grants. */
  access: Set<string>;
  expiresAt: number;
}

export interface TokenServiceOptions {
  /** The `service` the registry names in its challenge; the token service refuses any other. */
  service: string;
  /** username → password */
  users: Record<string, string>;
  /** Whether anonymous tokens may pull (Docker Hub's public repositories); pushing always needs a user. */
  anonymousPull: boolean;
  lifetimeSeconds: number;
}

export type TokenAnswer = { status: number; body: Record<string, unknown> };

/**
 * The Docker token service (distribution's token spec): `GET /token?service=…&scope=repository:<name>:<actions>`,
 * optionally with basic auth, answers an opaque Bearer token granting the requested actions the client has.
 * Like Docker Hub, wrong credentials are a 401, while missing rights just give a token with fewer grants.
 */
export class TokenService {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(private readonly options: TokenServiceOptions) {}

  setPassword(username: string, password: string): void {
    this.options.users[username] = password;
  }

  /** `undefined`: anonymous; `null`: credentials that are wrong. */
  private user(req: IncomingMessage): string | undefined | null {
    const header = req.headers.authorization;
    if (header === undefined) return undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
    if (basic === undefined) return null;
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [name, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return colon > 0 && this.options.users[name] === password ? name : null;
  }

  answer(req: IncomingMessage, url: URL): TokenAnswer {
    if (url.searchParams.get('service') !== this.options.service) {
      return { status: 400, body: { details: `unknown service ${url.searchParams.get('service')}` } };
    }
    const user = this.user(req);
    if (user === null) return { status: 401, body: { details: 'incorrect username or password' } };
    const access = new Set<string>();
    for (const scope of url.searchParams.getAll('scope')) {
      const match = /^repository:([^:]+):([a-z,*]+)$/.exec(scope);
      if (match === null) return { status: 400, body: { details: `invalid scope ${scope}` } };
      for (const action of match[2]!.split(',')) {
        const allowed = action === 'pull' ? user !== undefined || this.options.anonymousPull : user !== undefined;
        if (allowed) access.add(`${match[1]}:${action}`);
      }
    }
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, { access, expiresAt: Date.now() + this.options.lifetimeSeconds * 1000 });
    return {
      status: 200,
      body: {
        token,
        access_token: token,
        expires_in: this.options.lifetimeSeconds,
        issued_at: new Date().toISOString(),
      },
    };
  }

  /** `undefined` when the request carries no live token of ours; else whether it grants `action` on `repository`. */
  grants(req: IncomingMessage, repository: string | undefined, action: Action): boolean | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const issued = token === undefined ? undefined : this.issued.get(token);
    if (issued === undefined || issued.expiresAt <= Date.now()) return undefined;
    return repository === undefined || issued.access.has(`${repository}:${action}`);
  }
}

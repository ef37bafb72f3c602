import { createServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessTokens } from './access-tokens.ts';
import { type Aadsts, aadsts, aadstsBody, openIdConfiguration } from './entra-responses.ts';

export interface FakeEntraOptions {
  tls: { key: string; cert: string };
  tenantId: string;
  /** The service principals of the tenant: client id → client secret. */
  applications: Record<string, string>;
  /** `expires_in` of issued tokens (default 3599, as Entra). */
  tokenLifetimeSeconds?: number;
}

export interface TokenRequest {
  tenantId: string;
  clientId: string;
  scope: string;
  status: number;
}

export interface FakeEntra {
  /** The authority host (`authorityHost` / AZURE_AUTHORITY_HOST). */
  url: string;
  /** Every request: method, path, status answered. */
  requests: Array<{ method: string; path: string; status: number }>;
  /** Every POST to a token endpoint, answered or refused. */
  tokenRequests: TokenRequest[];
  /** True for a bearer token this authority issued, unexpired, for `audience` (a fake ARM's verifier). */
  verify(token: string, audience: string): boolean;
  close(): Promise<void>;
}

const DISCOVERY_PATH = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const DEFAULT_SCOPE_SUFFIX = '/.default';

class AadstsFailure extends Error {
  constructor(readonly failure: Aadsts) {
    super(failure.text);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache' });
  res.end(JSON.stringify(body));
}

/**
 * An HTTPS fake of a Microsoft Entra ID authority for the OAuth 2.0 client-credentials flow, as MSAL Node
 * drives it: the tenant's v2.0 OpenID configuration, then POST /{tenant}/oauth2/v2.0/token with the client
 * secret in the form body. No instance discovery endpoint: MSAL only ever asks login.microsoftonline.com for it.
 */
export async function startFakeEntra(options: FakeEntraOptions): Promise<FakeEntra> {
  const tokens = new AccessTokens();
  const requests: FakeEntra['requests'] = [];
  const tokenRequests: TokenRequest[] = [];
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  let base = '';

  function requireTenant(tenant: string, error: 'invalid_tenant' | 'invalid_request'): void {
    if (tenant !== options.tenantId) throw new AadstsFailure(aadsts.tenantNotFound(tenant, error));
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const form = await readForm(req);
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    const record: TokenRequest = { tenantId: tenant, clientId, scope, status: 0 };
    tokenRequests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    requireTenant(tenant, 'invalid_request');
    if (form.get('grant_type') !== 'client_credentials') throw new AadstsFailure(aadsts.unsupportedGrant());
    const secret = options.applications[clientId];
    if (secret === undefined) throw new AadstsFailure(aadsts.applicationNotFound(clientId, tenant));
    if (form.get('client_secret') !== secret) throw new AadstsFailure(aadsts.invalidSecret(clientId));
    const scopes = scope.split(' ').filter((s) => s !== '');
    const [resourceScope] = scopes;
    if (scopes.length !== 1 || resourceScope === undefined || !resourceScope.endsWith(DEFAULT_SCOPE_SUFFIX)) {
      throw new AadstsFailure(aadsts.invalidScope(scope));
    }
    const audience = resourceScope.slice(0, -DEFAULT_SCOPE_SUFFIX.length);
    reply(res, 200, {
      token_type: 'Bearer',
      expires_in: lifetimeSeconds,
      ext_expires_in: lifetimeSeconds,
      access_token: tokens.issue({ tenantId: tenant, clientId, audience, lifetimeSeconds }),
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const discovery = DISCOVERY_PATH.exec(path);
    if (discovery !== null && req.method === 'GET') {
      const tenant = discovery[1] ?? '';
      requireTenant(tenant, 'invalid_tenant');
      return reply(res, 200, openIdConfiguration(base, tenant));
    }
    const tokenPath = TOKEN_PATH.exec(path);
    if (tokenPath !== null && req.method === 'POST') return token(req, res, tokenPath[1] ?? '');
    res.writeHead(404).end();
  }

  const https: HttpsServer = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://fake').pathname;
    res.on('finish', () => requests.push({ method: req.method ?? '', path, status: res.statusCode }));
    route(req, res, path).catch((error: unknown) => {
      if (error instanceof AadstsFailure) {
        const correlationId = req.headers['client-request-id'];
        reply(
          res,
          error.failure.status,
          aadstsBody(error.failure, typeof correlationId === 'string' ? correlationId : undefined),
        );
      } else {
        reply(res, 500, { error: 'server_error', error_description: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    tokenRequests,
    verify: (token, audience) => tokens.verify(token, audience),
    close: () =>
      new Promise<void>((resolve) => {
        https.closeAllConnections();
        https.close(() => resolve());
      }),
  };
}

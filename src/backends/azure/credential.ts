import {
  type AccessToken,
  AggregateAuthenticationError,
  AuthenticationError,
  AuthenticationRequiredError,
  ClientSecretCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
  type GetTokenOptions,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { errors } from '../../plugin-api/index.ts';

export type CredentialOptions =
  | {
      clientId: string;
      clientSecret: string;
      tenantId: string;
      authorityHost?: string;
      authorityCaCertificate?: string;
    }
  | { accessToken: string }
  | { chain: 'default'; managedIdentityClientId?: string; authorityCaCertificate?: string };

/**
 * A bearer token given as is (e.g. `az account get-access-token`, or a test's fake ARM). Never refreshed:
 * good for a session of at most its lifetime, not for a long-running broker.
 */
class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/** What to tell the operator when Entra refused the credential, and when no token could be asked for at all. */
interface Hints {
  refused: string;
  unavailable: string;
}

const IDENTITY_ERRORS = [
  AuthenticationError,
  AuthenticationRequiredError,
  CredentialUnavailableError,
  AggregateAuthenticationError,
];

function isIdentityError(error: unknown): error is Error {
  return IDENTITY_ERRORS.some((kind) => error instanceof kind);
}

/** The part of an @azure/identity error that says why: Entra's `AADSTS<n>: ...` line when there is one. */
function reason(error: Error): string {
  if (error instanceof AggregateAuthenticationError) {
    return (error.errors as unknown[]).map((e) => (e instanceof Error ? reason(e) : String(e))).join(' | ');
  }
  const aadsts = /AADSTS\d+:[^\r\n]*/.exec(error.message)?.[0];
  return (aadsts ?? error.message.split('\n')[0] ?? error.name).trim().replace(/[.,]?$/, '.');
}

/**
 * Turns @azure/identity's failures into the plugin error table. Until the operator fixes the credential no ARM
 * call can succeed, so it is a 503 saying what Entra answered and what to check; MSAL's texts never carry the
 * secret. Refused means Entra answered with an AADSTS code: the error classes cannot tell, since MSAL reports a
 * refused secret and an unreachable token endpoint alike. Anything else (an abort, a bug) passes through.
 */
class ExplainedCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly who: string,
    private readonly hints: Hints,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (error) {
      if (!isIdentityError(error)) throw error;
      const why = reason(error);
      throw errors.unavailable(
        /AADSTS\d+/.test(why)
          ? `Microsoft Entra ID refused ${this.who}: ${why} ${this.hints.refused}`
          : `no Azure token for ${this.who}: ${why} ${this.hints.unavailable}`,
        { cause: error },
      );
    }
  }
}

/**
 * Options every MSAL-based credential gets. Instance discovery makes MSAL ask login.microsoftonline.com to vouch
 * for an authority it has no built-in metadata for; the public and sovereign clouds are built in, so it only ever
 * runs for an authority the operator named (a private authority or proxy, a test fake), where it cannot
 * succeed. The CA is for MSAL's own HTTP client, which does not share ARM's `endpointCaCertificate`.
 */
function identityOptions(authorityCaCertificate: string | undefined): TokenCredentialOptions & {
  disableInstanceDiscovery: true;
} {
  return {
    disableInstanceDiscovery: true,
    ...(authorityCaCertificate === undefined ? {} : { tlsOptions: { ca: authorityCaCertificate } }),
  };
}

export function credentialFrom(options: CredentialOptions = { chain: 'default' }): TokenCredential {
  if ('accessToken' in options) return new StaticTokenCredential(options.accessToken);
  if ('chain' in options) {
    const chain = new DefaultAzureCredential({
      ...identityOptions(options.authorityCaCertificate),
      ...(options.managedIdentityClientId === undefined
        ? {}
        : { managedIdentityClientId: options.managedIdentityClientId }),
    });
    return new ExplainedCredential(chain, 'the DefaultAzureCredential chain', {
      refused:
        'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET of the broker process, or its workload/managed identity.',
      unavailable:
        'Give the broker process AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, a workload identity or a managed identity; AZURE_AUTHORITY_HOST must be reachable and trusted (credentials.authorityCaCertificate).',
    });
  }
  const sp = new ClientSecretCredential(options.tenantId, options.clientId, options.clientSecret, {
    ...identityOptions(options.authorityCaCertificate),
    ...(options.authorityHost === undefined ? {} : { authorityHost: options.authorityHost }),
  });
  return new ExplainedCredential(sp, `service principal ${options.clientId} of tenant ${options.tenantId}`, {
    refused:
      'Check credentials.clientSecret (its value, not its id; it may have expired), credentials.clientId and credentials.tenantId of the service principal.',
    unavailable: 'Check that credentials.authorityHost is reachable and trusted (credentials.authorityCaCertificate).',
  });
}

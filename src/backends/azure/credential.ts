import {
  type AccessToken,
  ClientSecretCredential,
  DefaultAzureCredential,
  type TokenCredential,
} from '@azure/identity';

export type CredentialOptions =
  | { clientId: string; clientSecret: string; tenantId: string; authorityHost?: string }
  | { accessToken: string }
  | { chain: 'default'; managedIdentityClientId?: string };

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

export function credentialFrom(options: CredentialOptions | undefined): TokenCredential {
  if (options === undefined) return new DefaultAzureCredential();
  if ('accessToken' in options) return new StaticTokenCredential(options.accessToken);
  if ('chain' in options) {
    return options.managedIdentityClientId === undefined
      ? new DefaultAzureCredential()
      : new DefaultAzureCredential({ managedIdentityClientId: options.managedIdentityClientId });
  }
  return new ClientSecretCredential(
    options.tenantId,
    options.clientId,
    options.clientSecret,
    options.authorityHost === undefined ? {} : { authorityHost: options.authorityHost },
  );
}

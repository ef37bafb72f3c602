import { randomUUID } from 'node:crypto';

/** The v2.0 OpenID Provider configuration Entra serves for one tenant, its URLs on this authority host. */
export function openIdConfiguration(host: string, tenantId: string): Record<string, unknown> {
  const tenant = `${host}/${tenantId}`;
  return {
    token_endpoint: `${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${tenant}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'at_hash'],
    kerberos_endpoint: `${tenant}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** One AADSTS failure: HTTP status, OAuth error, AADSTS number and the text after "AADSTS<n>: ". */
export interface Aadsts {
  status: number;
  error: string;
  code: number;
  text: string;
}

export const aadsts = {
  /** The discovery document answers `invalid_tenant`, the token endpoint `invalid_request`. */
  tenantNotFound: (tenant: string, error: 'invalid_tenant' | 'invalid_request'): Aadsts => ({
    status: 400,
    error,
    code: 90002,
    text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  unsupportedGrant: (): Aadsts => ({
    status: 400,
    error: 'unsupported_grant_type',
    code: 70003,
    text: 'The app requested an unsupported grant type.',
  }),
  applicationNotFound: (clientId: string, tenant: string): Aadsts => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    text: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  invalidSecret: (clientId: string): Aadsts => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  invalidScope: (scope: string): Aadsts => ({
    status: 400,
    error: 'invalid_scope',
    code: 1002012,
    text: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
};

/** Entra's error body: the description carries trace id, correlation id and timestamp, as the fields do. */
export function aadstsBody(failure: Aadsts, correlationId: string | undefined): Record<string, unknown> {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error: failure.error,
    error_description: `AADSTS${failure.code}: ${failure.text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${failure.code}`,
  };
}

import { MySQLManagementFlexibleServerClient } from '@azure/arm-mysql-flexible';
import { defineBackend, Type } from '../../plugin-api/index.ts';
import { ArmSteps } from './arm-steps.ts';
import { AzureMysqlBackend } from './azure-backend.ts';
import { credentialFrom } from './credential.ts';

const DEFAULT_ENDPOINT = 'https://management.azure.com';
const DEFAULT_SERVER_PREFIX = 'omnibroker-';
const DEFAULT_ADMIN_LOGIN = 'omniadmin';
const DEFAULT_MYSQL_PORT = 3306;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const authorityCaCertificate = Type.String({
  minLength: 1,
  description:
    'PEM CA certificate(s) to trust for the Entra authority (a private authority or TLS-inspecting proxy); default the system CAs',
});

const credentialsSchema = Type.Union(
  [
    Type.Object(
      {
        tenantId: Type.String({ minLength: 1, description: 'Microsoft Entra tenant id of the service principal' }),
        clientId: Type.String({ minLength: 1, description: 'Application (client) id of the service principal' }),
        clientSecret: Type.String({ minLength: 1, description: 'Client secret of the service principal' }),
        authorityHost: Type.Optional(
          Type.String({
            pattern: '^https://',
            description:
              'Microsoft Entra authority host (https only): a sovereign cloud (e.g. https://login.microsoftonline.us) or a private authority, trusted as given (no instance discovery); default https://login.microsoftonline.com',
          }),
        ),
        authorityCaCertificate: Type.Optional(authorityCaCertificate),
      },
      { additionalProperties: false, description: 'A service principal (ClientSecretCredential)' },
    ),
    Type.Object(
      {
        chain: Type.Literal('default', {
          description: 'DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI, ...',
        }),
        managedIdentityClientId: Type.Optional(
          Type.String({ minLength: 1, description: 'Client id of a user-assigned managed identity to use' }),
        ),
        authorityCaCertificate: Type.Optional(authorityCaCertificate),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        accessToken: Type.String({
          minLength: 1,
          description:
            'A bearer token used as is, never refreshed (e.g. `az account get-access-token` for a short session, or a fake ARM in tests)',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'How to authenticate to Azure Resource Manager; default DefaultAzureCredential' },
);

const optionsSchema = Type.Object(
  {
    subscriptionId: Type.String({ minLength: 1, description: 'Azure subscription that holds the servers' }),
    resourceGroup: Type.String({
      minLength: 1,
      description: 'Resource group the servers are created in (see infra/terraform/azure)',
    }),
    location: Type.String({ minLength: 1, description: 'Azure region of new servers, e.g. westeurope' }),
    credentials: Type.Optional(credentialsSchema),
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https://',
        default: DEFAULT_ENDPOINT,
        description: 'Azure Resource Manager base URL (https only: bearer tokens never travel in clear)',
      }),
    ),
    endpointCaCertificate: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'PEM CA certificate(s) to trust for endpoint (private clouds, proxies, test fakes)',
      }),
    ),
    adminPasswordKey: Type.String({
      minLength: 32,
      description:
        'Secret (>= 32 characters) from which each server administrator password is derived (HMAC-SHA256 of the server id); keep it stable',
    }),
    administratorLogin: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]{0,31}$',
        default: DEFAULT_ADMIN_LOGIN,
        description: 'Administrator login of new servers (not admin, root, azure_superuser, ...)',
      }),
    ),
    serverNamePrefix: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9-]{0,30}$',
        default: DEFAULT_SERVER_PREFIX,
        description:
          'Prefix of server names (the rest is a hash of the instance id or alias); names are global in Azure',
      }),
    ),
    delegatedSubnetResourceId: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Subnet delegated to Microsoft.DBforMySQL/flexibleServers: servers get private access only',
      }),
    ),
    privateDnsZoneResourceId: Type.Optional(
      Type.String({ minLength: 1, description: 'Private DNS zone (*.mysql.database.azure.com) for VNet servers' }),
    ),
    tags: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Extra ARM tags put on every server' }),
    ),
    mysqlPort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        default: DEFAULT_MYSQL_PORT,
        description: 'MySQL port of the servers',
      }),
    ),
    mysqlTls: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'TLS to the servers (Azure enforces it) with a verified certificate; binding users REQUIRE SSL',
      }),
    ),
    mysqlCaCertificate: Type.Optional(
      Type.String({ minLength: 1, description: 'PEM CA to verify the servers against; default the system CAs' }),
    ),
    mysqlConnectTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        default: DEFAULT_CONNECT_TIMEOUT_MS,
        description: 'How long to wait for a server before answering 503 (milliseconds)',
      }),
    ),
  },
  { additionalProperties: false },
);

export default defineBackend({
  kind: 'azure',
  optionsSchema,
  create(options) {
    const endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
    const client = new MySQLManagementFlexibleServerClient(
      credentialFrom(options.credentials),
      options.subscriptionId,
      {
        endpoint,
        $host: endpoint,
        ...(options.endpointCaCertificate === undefined ? {} : { tlsOptions: { ca: options.endpointCaCertificate } }),
      },
    );
    const tls = options.mysqlTls ?? true;
    const subnet = options.delegatedSubnetResourceId;
    return new AzureMysqlBackend({
      steps: new ArmSteps(client, options.resourceGroup, options.location),
      subscriptionId: options.subscriptionId,
      resourceGroup: options.resourceGroup,
      location: options.location,
      serverNamePrefix: options.serverNamePrefix ?? DEFAULT_SERVER_PREFIX,
      administratorLogin: options.administratorLogin ?? DEFAULT_ADMIN_LOGIN,
      adminPasswordKey: options.adminPasswordKey,
      ...(subnet === undefined
        ? {}
        : {
            network: {
              delegatedSubnetResourceId: subnet,
              ...(options.privateDnsZoneResourceId === undefined
                ? {}
                : { privateDnsZoneResourceId: options.privateDnsZoneResourceId }),
            },
          }),
      tags: options.tags ?? {},
      mysql: {
        port: options.mysqlPort ?? DEFAULT_MYSQL_PORT,
        tls: tls ? (options.mysqlCaCertificate === undefined ? true : { ca: options.mysqlCaCertificate }) : false,
        connectTimeoutMs: options.mysqlConnectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      },
    });
  },
});

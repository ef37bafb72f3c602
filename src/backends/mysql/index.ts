import { defineBackend, Type } from '../../plugin-api/index.ts';
import { mysqlAdminFromUrl } from '../../plugin-api/mysql-accounts.ts';
import { MysqlBackend } from './mysql-backend.ts';

const DEFAULT_URL = 'mysql://root@127.0.0.1:3306';
const DEFAULT_PREFIX = 'ob_';
const DEFAULT_PROVIDER = 'shared-mysql';
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

const optionsSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: '^mysql://',
        default: DEFAULT_URL,
        description:
          'Admin connection to the shared MySQL/MariaDB server, mysql://user:password@host:port (the user needs CREATE, DROP, CREATE USER and GRANT OPTION); add ?ssl=true for TLS',
      }),
    ),
    host: Type.Optional(
      Type.String({ minLength: 1, description: 'Host written into binding credentials; default: the host of url' }),
    ),
    port: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description: 'Port written into binding credentials; default: the port of url',
      }),
    ),
    databasePrefix: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]{0,11}$',
        default: DEFAULT_PREFIX,
        description:
          'Prefix of database names (the rest is a hash of the instance id); binding users are named <prefix>u_<hash of the binding id>',
      }),
    ),
    tls: Type.Optional(
      Type.Boolean({
        description:
          'Connect to the server over TLS (certificate verified), create binding users with REQUIRE SSL and say ssl-required in credentials; default: from url (?ssl=true)',
      }),
    ),
    provider: Type.Optional(
      Type.String({ minLength: 1, default: DEFAULT_PROVIDER, description: '`provider` in binding credentials' }),
    ),
    connectTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        default: DEFAULT_CONNECT_TIMEOUT_MS,
        description: 'How long to wait for the server before answering 503 (milliseconds)',
      }),
    ),
  },
  { additionalProperties: false },
);

export default defineBackend({
  kind: 'mysql',
  optionsSchema,
  create(options) {
    const url = options.url ?? DEFAULT_URL;
    let fromUrl: ReturnType<typeof mysqlAdminFromUrl>;
    try {
      fromUrl = mysqlAdminFromUrl(url);
    } catch {
      throw new Error(`url: ${url.replace(/\/\/[^@/]*@/, '//***@')} is not a mysql:// URL`);
    }
    const { tls: urlTls, ...rest } = fromUrl;
    const tls = options.tls ?? urlTls ?? false;
    const admin = {
      ...rest,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(tls ? { tls: true } : {}),
    };
    return new MysqlBackend({
      admin,
      advertisedHost: options.host ?? admin.host,
      advertisedPort: options.port ?? admin.port,
      databasePrefix: options.databasePrefix ?? DEFAULT_PREFIX,
      provider: options.provider ?? DEFAULT_PROVIDER,
    });
  },
});

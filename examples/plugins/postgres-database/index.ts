import { defineBackend, Type } from 'omnibroker/plugin-api';
import { pgAdminFromUrl } from './pg-admin.ts';
import { PostgresBackend } from './postgres-backend.ts';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const optionsSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^postgres(ql)?://',
      default: DEFAULT_URL,
      description:
        'Admin connection, postgres://user:password@host:port/database (the user needs CREATEDB and CREATEROLE)',
    }),
    host: Type.Optional(Type.String({ minLength: 1, description: 'Host written into credentials; default: from url' })),
    port: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, description: 'Port written into credentials; default: from url' }),
    ),
    databasePrefix: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,11}$',
      default: 'ob_',
      description: 'Prefix of database and role names (the rest is a hash of the instance or binding id)',
    }),
    provider: Type.String({ minLength: 1, default: 'shared-postgresql', description: '`provider` in credentials' }),
    connectTimeoutMs: Type.Integer({
      minimum: 100,
      default: 5000,
      description: 'How long to wait for the server before answering 503 (milliseconds)',
    }),
  },
  { additionalProperties: false },
);

export default defineBackend({
  kind: 'postgres-database',
  optionsSchema,
  create(options) {
    const admin = pgAdminFromUrl(options.url, options.connectTimeoutMs);
    return new PostgresBackend({
      admin,
      advertisedHost: options.host ?? admin.host,
      advertisedPort: options.port ?? admin.port,
      databasePrefix: options.databasePrefix,
      provider: options.provider,
    });
  },
});

import { type Static, Type } from '@sinclair/typebox';
import type { Logger } from '../plugin-api/index.ts';

/** What the stores need of the logger given to createStore (pino fits). */
export type StoreLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** Defaults applied by create-store.ts when a field is left out (also shown in the schema). */
export const STORE_DEFAULTS = {
  redisKeyPrefix: 'omnibroker:',
  redisCommandTimeoutMs: 1000,
  redisConnectTimeoutMs: 2000,
  dynamodbRequestTimeoutMs: 800,
  dynamodbMaxAttempts: 2,
} as const;

export const MemoryStoreConfigSchema = Type.Object(
  {
    type: Type.Literal('memory', { description: 'In-process state: lost on restart, for one replica only.' }),
  },
  { additionalProperties: false, description: 'In-memory state store.' },
);

const RedisTlsSchema = Type.Object(
  {
    caFile: Type.Optional(
      Type.String({ minLength: 1, description: 'PEM file of the CA that signed the server certificate.' }),
    ),
    servername: Type.Optional(
      Type.String({ minLength: 1, description: 'Server name (SNI) to verify instead of the host.' }),
    ),
    rejectUnauthorized: Type.Optional(
      Type.Boolean({ default: true, description: 'Verify the server certificate. Turn off only for tests.' }),
    ),
  },
  { additionalProperties: false },
);

export const RedisStoreConfigSchema = Type.Object(
  {
    type: Type.Literal('redis', { description: 'State in Redis (single instance or Sentinel-managed).' }),
    url: Type.String({
      pattern: '^rediss?://',
      description:
        'redis://[user:password@]host:port/db, or rediss:// for TLS. With `sentinels`, host and port are ignored ' +
        '(the master comes from Sentinel) but credentials and db still apply.',
    }),
    keyPrefix: Type.Optional(
      Type.String({
        default: STORE_DEFAULTS.redisKeyPrefix,
        description: 'Prefix of every key omnibroker writes; lets several brokers share one Redis database.',
      }),
    ),
    username: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'ACL user (Redis 6+); with `password`, replaces any credentials in the URL.',
      }),
    ),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Password (ACL user or requirepass); replaces any credentials in the URL; interpolate it from the environment.',
      }),
    ),
    tls: Type.Optional(
      Type.Union([Type.Boolean(), RedisTlsSchema], {
        description: 'TLS even for a redis:// URL (`true`), or TLS settings; rediss:// turns TLS on by itself.',
      }),
    ),
    sentinels: Type.Optional(
      Type.Array(
        Type.Object(
          {
            host: Type.String({ minLength: 1, description: 'Sentinel host.' }),
            port: Type.Integer({ minimum: 1, maximum: 65535, default: 26379, description: 'Sentinel port.' }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, description: 'Sentinel nodes; when set, the master is discovered through them.' },
      ),
    ),
    sentinelName: Type.Optional(
      Type.String({
        minLength: 1,
        default: 'mymaster',
        description: 'Name of the master group monitored by Sentinel.',
      }),
    ),
    sentinelPassword: Type.Optional(Type.String({ minLength: 1, description: 'Password of the Sentinel nodes.' })),
    commandTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 50,
        maximum: 1500,
        default: STORE_DEFAULTS.redisCommandTimeoutMs,
        description:
          'Deadline of a Redis command (ms): when Redis stops answering, pending and new commands answer 503 ' +
          'within about 1.25 times this bound.',
      }),
    ),
    connectTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        default: STORE_DEFAULTS.redisConnectTimeoutMs,
        description: 'Deadline of one connection attempt (ms); reconnection continues in the background.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Redis state store.' },
);

export const DynamoDbStoreConfigSchema = Type.Object(
  {
    type: Type.Literal('dynamodb', { description: 'State in one DynamoDB table (pk/sk, PAY_PER_REQUEST).' }),
    table: Type.String({
      pattern: '^[a-zA-Z0-9_.-]{3,255}$',
      description: 'Table name; create it with `omnibroker init-store` or infra/terraform/aws.',
    }),
    region: Type.String({ minLength: 1, description: 'AWS region of the table, e.g. eu-west-1.' }),
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'Endpoint override (DynamoDB Local, dynalite, a VPC endpoint). Credentials: the default AWS chain.',
      }),
    ),
    requestTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 1500,
        default: STORE_DEFAULTS.dynamodbRequestTimeoutMs,
        description: 'Deadline of one DynamoDB request attempt (ms).',
      }),
    ),
    maxAttempts: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 5,
        default: STORE_DEFAULTS.dynamodbMaxAttempts,
        description: 'Attempts per request, including the first (SDK retries with backoff).',
      }),
    ),
  },
  { additionalProperties: false, description: 'DynamoDB state store.' },
);

export const StoreConfigSchema = Type.Union(
  [MemoryStoreConfigSchema, RedisStoreConfigSchema, DynamoDbStoreConfigSchema],
  {
    description: 'Where instances, bindings, operations and leases live.',
  },
);

export type MemoryStoreConfig = Static<typeof MemoryStoreConfigSchema>;
export type RedisStoreConfig = Static<typeof RedisStoreConfigSchema>;
export type DynamoDbStoreConfig = Static<typeof DynamoDbStoreConfigSchema>;
export type StoreConfig = Static<typeof StoreConfigSchema>;

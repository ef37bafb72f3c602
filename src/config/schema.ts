import { type Static, Type } from '@sinclair/typebox';
import { type StoreConfig, StoreConfigSchema } from '../state/store-config.ts';

/** The config file's schema; docs/configuration.md is generated from these descriptions. */
const BreakerSchema = Type.Object(
  {
    timeoutMs: Type.Integer({ minimum: 100, default: 10_000, description: 'Deadline of one backend call (ms).' }),
    errorThresholdPercentage: Type.Number({
      minimum: 1,
      maximum: 100,
      default: 50,
      description: 'Failure percentage in the rolling window that opens the breaker.',
    }),
    resetTimeoutMs: Type.Integer({
      minimum: 100,
      default: 30_000,
      description: 'How long the breaker stays open before a trial call (ms); also the Retry-After sent meanwhile.',
    }),
    volumeThreshold: Type.Integer({
      minimum: 0,
      default: 5,
      description: 'Calls in the window before the breaker may open.',
    }),
    rollingCountTimeoutMs: Type.Integer({
      minimum: 1000,
      default: 10_000,
      description: 'Length of the rolling window (ms).',
    }),
  },
  { additionalProperties: false, default: {} },
);

const BackendSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z][a-z0-9-]{0,30}$',
      description: 'Backend name: the id prefix (`<name>.<id>`). Never change it once platforms use the broker.',
    }),
    type: Type.String({
      minLength: 1,
      description:
        'Built-in kind (aws, azure, local-helm, mysql, osb), a plugin module path (./x.js), or an npm package.',
    }),
    prefix: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]*$',
        description:
          'Service name prefix; default `<name>-`. Empty keeps upstream names (Cloud Foundry file bindings).',
      }),
    ),
    breaker: BreakerSchema,
    options: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Options of the backend kind.' }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    listen: Type.Object(
      {
        host: Type.String({ default: '0.0.0.0', description: 'Address to listen on.' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Port to listen on.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        basic: Type.Array(
          Type.Object(
            { username: Type.String({ minLength: 1 }), password: Type.String({ minLength: 8 }) },
            { additionalProperties: false },
          ),
          { default: [], description: 'Accepted basic-auth users.' },
        ),
        bearer: Type.Array(Type.Object({ token: Type.String({ minLength: 16 }) }, { additionalProperties: false }), {
          default: [],
          description: 'Accepted bearer tokens.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'OSB credentials; at least one basic user or token.' },
    ),
    state: Type.Unsafe<StoreConfig>({ ...StoreConfigSchema, default: { type: 'memory' } }),
    encryption: Type.Object(
      {
        keys: Type.Array(
          Type.Object(
            {
              id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Key id stored with each ciphertext.' }),
              secret: Type.String({
                minLength: 32,
                description: 'Key material (>= 32 chars); AES-256 key via HKDF-SHA256.',
              }),
            },
            { additionalProperties: false },
          ),
          {
            minItems: 1,
            description: 'The first key encrypts; all keys decrypt (rotation: prepend a new key, run rotate-keys).',
          },
        ),
      },
      { additionalProperties: false, description: 'Encryption at rest of credentials and secret parameters.' },
    ),
    catalog: Type.Object(
      {
        refreshIntervalMs: Type.Integer({
          minimum: 1000,
          default: 60_000,
          description: 'How often backend catalogs are re-read.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    operations: Type.Object(
      {
        minPollIntervalMs: Type.Integer({
          minimum: 0,
          default: 2000,
          description: 'Least time between two backend status calls for one operation; faster polls answer from state.',
        }),
        sweepIntervalMs: Type.Integer({
          minimum: 50,
          default: 10_000,
          description: 'How often open operations are polled in the background (finishes work nobody polls).',
        }),
        maxDurationMs: Type.Integer({
          minimum: 1000,
          default: 7_200_000,
          description: 'An operation still running after this long is reported failed.',
        }),
        leaseTtlMs: Type.Integer({ minimum: 1000, default: 60_000, description: 'Lifetime of a mutation lease.' }),
        tombstoneTtlMs: Type.Integer({
          minimum: 1000,
          default: 86_400_000,
          description: 'How long a finished delete is remembered (last_operation says succeeded).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    limits: Type.Object(
      { bodyBytes: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'Largest accepted request body.' }) },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info', description: 'pino log level.' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    backends: Type.Array(BackendSchema, { minItems: 1, description: 'The backends whose catalogs are merged.' }),
  },
  { additionalProperties: false },
);

export type OmnibrokerConfig = Static<typeof ConfigSchema>;
export type BackendConfig = Static<typeof BackendSchema>;
export type BreakerConfig = Static<typeof BreakerSchema>;

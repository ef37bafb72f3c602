import type { JsonObject } from './catalog.ts';
import type { Credentials } from './results.ts';

/** Keys Cloud Foundry overwrites in a binding (OSB-RULES 23). */
export const RESERVED_CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'name',
  'label',
  'plan',
  'tags',
  'instance_guid',
  'instance_name',
  'binding_guid',
  'binding_name',
  'syslog_drain_url',
  'volume_mounts',
]);

export const CREDENTIAL_KEY_PATTERN = /^[a-z0-9][a-z0-9\-.]*$/;

/** Everything in `credentials` that file-binding consumers (servicebinding.io, CF, Korifi) would trip on. */
export function credentialViolations(credentials: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(credentials)) {
    if (!CREDENTIAL_KEY_PATTERN.test(key)) problems.push(`${key}: key is not lowercase kebab-case`);
    if (RESERVED_CREDENTIAL_KEYS.has(key)) problems.push(`${key}: key is reserved by Cloud Foundry`);
    if (typeof value !== 'string') problems.push(`${key}: value is not a string`);
  }
  for (const required of ['type', 'provider']) {
    if (typeof credentials[required] !== 'string' || credentials[required] === '') {
      problems.push(`${required}: missing`);
    }
  }
  return problems;
}

export function toKebabKey(key: string): string {
  const kebab = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .toLowerCase()
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '');
  return kebab === '' ? 'value' : kebab;
}

/**
 * Rewrites arbitrary credentials into the flat, string-valued, kebab-case shape: nested objects are
 * flattened with `.`, arrays and other values become strings, reserved keys get an `upstream-` prefix.
 */
export function normalizeCredentials(
  input: JsonObject,
  defaults: { type?: string; provider?: string } = {},
): Credentials {
  const out: Credentials = {};
  const visit = (prefix: string, value: unknown): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value))
        visit(prefix === '' ? toKebabKey(k) : `${prefix}.${toKebabKey(k)}`, v);
      return;
    }
    let key = prefix;
    if (RESERVED_CREDENTIAL_KEYS.has(key) || RESERVED_CREDENTIAL_KEYS.has(key.replace(/-/g, '_'))) {
      key = `upstream-${key}`;
    }
    out[key] = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  };
  for (const [k, v] of Object.entries(input)) visit(toKebabKey(k), v);
  if (out.type === undefined && defaults.type !== undefined) out.type = defaults.type;
  if (out.provider === undefined && defaults.provider !== undefined) out.provider = defaults.provider;
  return out;
}

export type SqlEngine = 'mysql' | 'postgresql';

export interface SqlEndpoint {
  engine: SqlEngine;
  provider: string;
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
  /** The server requires TLS; reflected in `uri`, `jdbc-url` and `ssl-required`. */
  tls?: boolean;
}

/** mysql/postgresql credentials per OSB-RULES 24: `uri` percent-encoded, `jdbc-url` without secrets. */
export function sqlCredentials(endpoint: SqlEndpoint): Credentials {
  const { engine, host, port, database } = endpoint;
  const userInfo = `${encodeURIComponent(endpoint.username)}:${encodeURIComponent(endpoint.password)}`;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const db = encodeURIComponent(database);
  const tlsQuery = endpoint.tls ? (engine === 'mysql' ? '?ssl-mode=REQUIRED' : '?sslmode=require') : '';
  const jdbcTls = endpoint.tls ? (engine === 'mysql' ? '?sslMode=REQUIRED' : '?sslmode=require') : '';
  return {
    type: engine,
    provider: endpoint.provider,
    host,
    port: String(port),
    database,
    username: endpoint.username,
    password: endpoint.password,
    uri: `${engine}://${userInfo}@${hostPort}/${db}${tlsQuery}`,
    'jdbc-url': `jdbc:${engine}://${hostPort}/${db}${jdbcTls}`,
    'ssl-required': endpoint.tls ? 'true' : 'false',
  };
}

export interface RedisEndpoint {
  provider: string;
  host: string;
  port: number;
  password: string;
  username?: string;
  tls?: boolean;
}

export function redisCredentials(endpoint: RedisEndpoint): Credentials {
  const scheme = endpoint.tls ? 'rediss' : 'redis';
  const user = endpoint.username === undefined ? '' : encodeURIComponent(endpoint.username);
  const auth = endpoint.password === '' ? '' : `${user}:${encodeURIComponent(endpoint.password)}@`;
  return {
    type: 'redis',
    provider: endpoint.provider,
    host: endpoint.host,
    port: String(endpoint.port),
    password: endpoint.password,
    ...(endpoint.username === undefined ? {} : { username: endpoint.username }),
    ssl: endpoint.tls ? 'true' : 'false',
    url: `${scheme}://${auth}${endpoint.host}:${endpoint.port}`,
  };
}

export interface MongodbEndpoint {
  provider: string;
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
  authSource?: string;
}

export function mongodbCredentials(endpoint: MongodbEndpoint): Credentials {
  const auth = `${encodeURIComponent(endpoint.username)}:${encodeURIComponent(endpoint.password)}`;
  const authSource = endpoint.authSource === undefined ? '' : `?authSource=${encodeURIComponent(endpoint.authSource)}`;
  return {
    type: 'mongodb',
    provider: endpoint.provider,
    host: endpoint.host,
    port: String(endpoint.port),
    database: endpoint.database,
    username: endpoint.username,
    password: endpoint.password,
    uri: `mongodb://${auth}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}${authSource}`,
  };
}

export interface RabbitmqEndpoint {
  provider: string;
  host: string;
  port: number;
  username: string;
  password: string;
  virtualHost: string;
}

export function rabbitmqCredentials(endpoint: RabbitmqEndpoint): Credentials {
  const auth = `${encodeURIComponent(endpoint.username)}:${encodeURIComponent(endpoint.password)}`;
  return {
    type: 'rabbitmq',
    provider: endpoint.provider,
    host: endpoint.host,
    port: String(endpoint.port),
    username: endpoint.username,
    password: endpoint.password,
    'virtual-host': endpoint.virtualHost,
    uri: `amqp://${auth}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(endpoint.virtualHost)}`,
  };
}

import { type Credentials, errors, redisCredentials, sqlCredentials } from '../../plugin-api/index.ts';
import type { OutputResolver } from './output-resolver.ts';
import type { ServiceMetadata } from './template-spec.ts';

type CredentialSpec = NonNullable<ServiceMetadata['Credentials']>;

/** A per-binding database user that a bind hook created; replaces the shared username/password. */
export interface BindingUser {
  username: string;
  password: string;
}

function required(values: Record<string, string>, key: string, type: string): string {
  const value = values[key];
  if (value === undefined || value === '') throw errors.internal(`${type} credentials need "${key}" from the stack`);
  return value;
}

function port(value: string, type: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw errors.internal(`${type} credentials: port "${value}" is not a number`);
  return n;
}

/**
 * Binding credentials in the OSB-RULES 23-24 shape: the engine helpers for mysql/postgresql/redis, flat
 * stack values (plus `region`) for AWS services.
 */
export async function bindingCredentials(
  spec: CredentialSpec,
  resolver: OutputResolver,
  region: string,
  user?: BindingUser,
): Promise<Credentials> {
  const values: Record<string, string> = {};
  for (const [key, source] of Object.entries(spec.Values)) values[key] = await resolver.resolve(source);
  if (user !== undefined) Object.assign(values, user);
  const { Type: type, Provider: provider } = spec;
  const tls = values.tls === 'true';
  delete values.tls;
  let engine: Credentials;
  if (type === 'mysql' || type === 'postgresql') {
    engine = sqlCredentials({
      engine: type,
      provider,
      host: required(values, 'host', type),
      port: port(required(values, 'port', type), type),
      database: required(values, 'database', type),
      username: required(values, 'username', type),
      password: required(values, 'password', type),
      tls,
    });
  } else if (type === 'redis') {
    engine = redisCredentials({
      provider,
      host: required(values, 'host', type),
      port: port(required(values, 'port', type), type),
      password: values.password ?? '',
      ...(values.username === undefined ? {} : { username: values.username }),
      tls,
    });
  } else {
    engine = { type, provider };
  }
  return { ...values, region, ...engine };
}

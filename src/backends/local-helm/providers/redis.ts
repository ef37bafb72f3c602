import { Redis } from 'ioredis';
import {
  derivedName,
  type JsonObject,
  randomPassword,
  redisCredentials,
  untilAborted,
} from '../../../plugin-api/index.ts';
import { type ChartProvider, PROVIDER_NAME, type ReleaseEndpoint, requireSecretKey } from './chart-provider.ts';

/**
 * An application user: every key and channel and every command except `@admin` (ACL, CONFIG, SHUTDOWN, DEBUG,
 * MODULE, REPLICAOF, MONITOR, CLIENT LIST/KILL, ...) and MIGRATE, which makes the server dial any address.
 * Not `-@dangerous`: that also takes INFO (clients' ready checks), KEYS, SORT and FLUSHDB over the release's own
 * data, which every binding can already delete key by key. `reset` sets `sanitize-payload`, so RESTORE is checked.
 */
const BINDING_RULES = ['reset', 'on', '~*', '&*', '+@all', '-@admin', '-migrate'];

interface RedisValues {
  auth?: { enabled?: unknown };
  sentinel?: { enabled?: unknown };
}

async function asDefaultUser<T>(
  endpoint: ReleaseEndpoint,
  signal: AbortSignal,
  work: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = new Redis({
    host: endpoint.connectHost,
    port: endpoint.connectPort,
    password: requireSecretKey(endpoint, 'redis-password'),
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // connect() only says "Connection is closed."; the cause (ECONNREFUSED, WRONGPASS) comes as an event first.
  let cause: Error | undefined;
  redis.on('error', (err: Error) => {
    cause = err;
  });
  return untilAborted(
    signal,
    () => redis.disconnect(),
    async () => {
      try {
        await redis.connect();
      } catch (err) {
        throw cause ?? err;
      }
      try {
        return await work(redis);
      } finally {
        redis.disconnect();
      }
    },
  );
}

/**
 * Bitnami's redis chart: an ACL user per binding, made on the master only (ACL users are not replicated).
 * Without auth, or with Sentinel (whose Service reaches any node, master or replica), the release's own access.
 */
export const redisProvider: ChartProvider = {
  tags: ['redis'],
  portNames: ['tcp-redis', 'redis'],
  defaultPort: 6379,
  secretKey: 'redis-password',
  async bind(endpoint, bindingId, signal) {
    const values = endpoint.values as RedisValues;
    const address = { provider: PROVIDER_NAME, host: endpoint.host, port: endpoint.port };
    if (values.auth?.enabled === false) return { credentials: redisCredentials({ ...address, password: '' }) };
    if (values.sentinel?.enabled === true) {
      return { credentials: redisCredentials({ ...address, password: requireSecretKey(endpoint, 'redis-password') }) };
    }
    const username = derivedName('u', bindingId, 15);
    const password = randomPassword();
    // `reset` first: a repeated bind (after a crash) replaces the password instead of adding a second one.
    await asDefaultUser(endpoint, signal, (redis) =>
      redis.call('ACL', 'SETUSER', username, ...BINDING_RULES, `>${password}`),
    );
    return { credentials: redisCredentials({ ...address, username, password }), data: { username } };
  },
  async unbind(endpoint, data: JsonObject, signal) {
    const username = data.username;
    if (typeof username !== 'string') return;
    // DELUSER also disconnects the user's clients (every Redis with ACLs, 6.0+), and of a missing user deletes 0.
    await asDefaultUser(endpoint, signal, (redis) => redis.call('ACL', 'DELUSER', username));
  },
};

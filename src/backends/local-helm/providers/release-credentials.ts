import {
  mongodbCredentials,
  normalizeCredentials,
  rabbitmqCredentials,
  redisCredentials,
} from '../../../plugin-api/index.ts';
import { type ChartProvider, PROVIDER_NAME, requireSecretKey, valueAt } from './chart-provider.ts';

// These engines get the release's own credentials: no per-binding user (documented in docs/backends/local-helm.md).

export const mongodbProvider: ChartProvider = {
  tags: ['mongodb'],
  portNames: ['mongodb'],
  defaultPort: 27017,
  secretKey: 'mongodb-root-password',
  async bind(endpoint) {
    const values = endpoint.values as { auth?: { usernames?: unknown; databases?: unknown } };
    const firstOf = (list: unknown) => (Array.isArray(list) && typeof list[0] === 'string' ? list[0] : undefined);
    const customUser = firstOf(values.auth?.usernames);
    const customDatabase = firstOf(values.auth?.databases);
    const customPassword = endpoint.secret['mongodb-passwords']?.split(',')[0];
    const custom = customUser !== undefined && customDatabase !== undefined && customPassword !== undefined;
    return {
      credentials: mongodbCredentials({
        provider: PROVIDER_NAME,
        host: endpoint.host,
        port: endpoint.port,
        ...(custom
          ? { database: customDatabase, username: customUser, password: customPassword }
          : {
              database: 'admin',
              username: valueAt(endpoint.values, 'auth.rootUser') ?? 'root',
              password: requireSecretKey(endpoint, 'mongodb-root-password'),
              authSource: 'admin',
            }),
      }),
    };
  },
};

export const redisProvider: ChartProvider = {
  tags: ['redis'],
  portNames: ['tcp-redis', 'redis'],
  defaultPort: 6379,
  secretKey: 'redis-password',
  async bind(endpoint) {
    const authDisabled = (endpoint.values as { auth?: { enabled?: unknown } }).auth?.enabled === false;
    return {
      credentials: redisCredentials({
        provider: PROVIDER_NAME,
        host: endpoint.host,
        port: endpoint.port,
        password: authDisabled ? '' : requireSecretKey(endpoint, 'redis-password'),
      }),
    };
  },
};

export const rabbitmqProvider: ChartProvider = {
  tags: ['rabbitmq'],
  portNames: ['amqp'],
  defaultPort: 5672,
  secretKey: 'rabbitmq-password',
  async bind(endpoint) {
    return {
      credentials: rabbitmqCredentials({
        provider: PROVIDER_NAME,
        host: endpoint.host,
        port: endpoint.port,
        username: valueAt(endpoint.values, 'auth.username') ?? 'user',
        password: requireSecretKey(endpoint, 'rabbitmq-password'),
        virtualHost: '/',
      }),
    };
  },
};

/** A chart without a provider: its Service address plus every key of its Secret, as they are. */
export function genericProvider(chart: string): ChartProvider {
  return {
    tags: [chart],
    portNames: [],
    defaultPort: 0,
    async bind(endpoint) {
      return {
        credentials: {
          ...normalizeCredentials(endpoint.secret),
          type: chart,
          provider: PROVIDER_NAME,
          host: endpoint.host,
          port: String(endpoint.port),
          'service-name': endpoint.serviceName,
          ...(endpoint.secretName === undefined ? {} : { 'secret-name': endpoint.secretName }),
        },
      };
    },
  };
}

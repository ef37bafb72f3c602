import {
  createDatabase,
  createDatabaseUser,
  dropDatabaseUser,
  type MysqlAdmin,
} from '../../../plugin-api/mysql-accounts.ts';
import { derivedName, type JsonObject, randomPassword, sqlCredentials } from '../../../plugin-api/index.ts';
import {
  type ChartProvider,
  PROVIDER_NAME,
  type ReleaseEndpoint,
  requireSecretKey,
  valueAt,
} from './chart-provider.ts';

/** Bitnami's mariadb and mysql charts: same wire protocol, differently named Secret keys. */
export function mysqlFamilyProvider(rootPasswordKey: string, tags: string[]): ChartProvider {
  const admin = (endpoint: ReleaseEndpoint): MysqlAdmin => ({
    host: endpoint.connectHost,
    port: endpoint.connectPort,
    user: 'root',
    password: requireSecretKey(endpoint, rootPasswordKey),
  });
  return {
    tags,
    portNames: ['mysql'],
    defaultPort: 3306,
    secretKey: rootPasswordKey,
    async bind(endpoint, bindingId) {
      const database = valueAt(endpoint.values, 'auth.database') ?? 'my_database';
      const username = derivedName('u', bindingId, 15);
      const password = randomPassword();
      await createDatabase(admin(endpoint), database);
      await createDatabaseUser(admin(endpoint), { database, username, password });
      return {
        credentials: sqlCredentials({
          engine: 'mysql',
          provider: PROVIDER_NAME,
          host: endpoint.host,
          port: endpoint.port,
          database,
          username,
          password,
        }),
        data: { username },
      };
    },
    async unbind(endpoint, data: JsonObject) {
      if (typeof data.username === 'string') await dropDatabaseUser(admin(endpoint), data.username);
    },
  };
}

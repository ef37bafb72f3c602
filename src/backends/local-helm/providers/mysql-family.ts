import {
  createDatabase,
  createDatabaseUser,
  dropDatabaseUser,
  type MysqlAdmin,
} from '../../../plugin-api/mysql-accounts.ts';
import { derivedName, type JsonObject, randomPassword } from '../../../plugin-api/index.ts';
import {
  type ChartProvider,
  type ReleaseEndpoint,
  requireSecretKey,
  sqlUserBinding,
  valueAt,
} from './chart-provider.ts';

/** Bitnami's mariadb and mysql charts: same wire protocol, differently named Secret keys. */
export function mysqlFamilyProvider(rootPasswordKey: string, tags: string[]): ChartProvider {
  const admin = (endpoint: ReleaseEndpoint, signal: AbortSignal): MysqlAdmin => ({
    host: endpoint.connectHost,
    port: endpoint.connectPort,
    user: 'root',
    password: requireSecretKey(endpoint, rootPasswordKey),
    signal,
  });
  return {
    tags,
    portNames: ['mysql'],
    defaultPort: 3306,
    secretKey: rootPasswordKey,
    async bind(endpoint, bindingId, signal) {
      const database = valueAt(endpoint.values, 'auth.database') ?? 'my_database';
      const username = derivedName('u', bindingId, 15);
      const password = randomPassword();
      await createDatabase(admin(endpoint, signal), database);
      await createDatabaseUser(admin(endpoint, signal), { database, username, password });
      return sqlUserBinding('mysql', endpoint, { database, username, password });
    },
    async unbind(endpoint, data: JsonObject, signal) {
      if (typeof data.username === 'string') await dropDatabaseUser(admin(endpoint, signal), data.username);
    },
  };
}

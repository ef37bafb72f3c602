import pg from 'pg';
import { derivedName, type JsonObject, randomPassword, untilAborted } from '../../../plugin-api/index.ts';
import {
  type ChartProvider,
  type ReleaseEndpoint,
  requireSecretKey,
  sqlUserBinding,
  valueAt,
} from './chart-provider.ts';

const databaseOf = (endpoint: ReleaseEndpoint) => valueAt(endpoint.values, 'auth.database') ?? 'postgres';

async function asSuperuser<T>(
  endpoint: ReleaseEndpoint,
  signal: AbortSignal,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: endpoint.connectHost,
    port: endpoint.connectPort,
    user: 'postgres',
    password: requireSecretKey(endpoint, 'postgres-password'),
    database: databaseOf(endpoint),
    connectionTimeoutMillis: 5000,
  });
  const end = () => client.end().catch(() => undefined);
  return untilAborted(
    signal,
    () => void end(),
    async () => {
      await client.connect();
      try {
        return await work(client);
      } finally {
        await end();
      }
    },
  );
}

// DDL takes no bind parameters: identifiers and literals go through the driver's escaping, never raw.
export const postgresqlProvider: ChartProvider = {
  tags: ['postgresql'],
  portNames: ['tcp-postgresql', 'postgresql'],
  defaultPort: 5432,
  secretKey: 'postgres-password',
  async bind(endpoint, bindingId, signal) {
    const database = databaseOf(endpoint);
    const username = derivedName('u', bindingId, 15);
    const password = randomPassword();
    await asSuperuser(endpoint, signal, async (client) => {
      const role = client.escapeIdentifier(username);
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
      const verb = (exists.rowCount ?? 0) > 0 ? 'ALTER' : 'CREATE';
      await client.query(`${verb} ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
      await client.query(`GRANT ALL PRIVILEGES ON DATABASE ${client.escapeIdentifier(database)} TO ${role}`);
      // PostgreSQL 15+ no longer lets every role create tables in `public`.
      await client.query(`GRANT ALL ON SCHEMA public TO ${role}`);
    });
    return sqlUserBinding('postgresql', endpoint, { database, username, password });
  },
  async unbind(endpoint, data: JsonObject, signal) {
    const username = data.username;
    if (typeof username !== 'string') return;
    await asSuperuser(endpoint, signal, async (client) => {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
      if ((exists.rowCount ?? 0) === 0) return;
      const role = client.escapeIdentifier(username);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [username]);
      // Tables the binding created stay (owned by the superuser); its privileges and the role go.
      await client.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`);
      await client.query(`DROP OWNED BY ${role}`);
      await client.query(`DROP ROLE ${role}`);
    });
  },
};

import mysql from 'mysql2/promise';
import { untilAborted } from './abortable.ts';

/** Admin connection to a MySQL or MariaDB server. */
export interface MysqlAdmin {
  host: string;
  port: number;
  user: string;
  password: string;
  /** TLS to the server; `true` verifies the certificate against the system CAs. */
  tls?: boolean | { ca?: string; rejectUnauthorized?: boolean };
  connectTimeoutMs?: number;
  /** The call's signal: when it aborts, the connection is closed and the statement fails at once. */
  signal?: AbortSignal;
}

function sslOption(tls: MysqlAdmin['tls']): mysql.ConnectionOptions['ssl'] {
  if (tls === undefined || tls === false) return undefined;
  if (tls === true) return { rejectUnauthorized: true };
  return { ...(tls.ca === undefined ? {} : { ca: tls.ca }), rejectUnauthorized: tls.rejectUnauthorized ?? true };
}

export async function withMysqlAdmin<T>(admin: MysqlAdmin, work: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const ssl = sslOption(admin.tls);
  let open: mysql.Connection | undefined;
  return untilAborted(
    admin.signal,
    () => open?.destroy(),
    async () => {
      const conn = await mysql.createConnection({
        host: admin.host,
        port: admin.port,
        user: admin.user,
        password: admin.password,
        connectTimeout: admin.connectTimeoutMs ?? 5000,
        ...(ssl === undefined ? {} : { ssl }),
      });
      open = conn;
      // Connected only after the abort: nobody waits for this connection any more.
      if (admin.signal?.aborted) conn.destroy();
      try {
        return await work(conn);
      } finally {
        await conn.end().catch(() => conn.destroy());
      }
    },
  );
}

// Identifiers go through escapeId, string values through placeholders: never concatenated user input.
export async function createDatabase(admin: MysqlAdmin, database: string): Promise<void> {
  await withMysqlAdmin(admin, (conn) => conn.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(database)}`));
}

export async function dropDatabase(admin: MysqlAdmin, database: string): Promise<void> {
  await withMysqlAdmin(admin, (conn) => conn.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(database)}`));
}

export async function databaseExists(admin: MysqlAdmin, database: string): Promise<boolean> {
  return withMysqlAdmin(admin, async (conn) => {
    const [rows] = await conn.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
      database,
    ]);
    return Array.isArray(rows) && rows.length > 0;
  });
}

export interface DatabaseUser {
  database: string;
  username: string;
  password: string;
  /** Host part of the account; `%` by default. */
  host?: string;
  /** Require TLS for this account's logins. */
  requireTls?: boolean;
}

/** Creates (or resets) a user with all privileges on one database only. Idempotent. */
export async function createDatabaseUser(admin: MysqlAdmin, user: DatabaseUser): Promise<void> {
  const host = user.host ?? '%';
  await withMysqlAdmin(admin, async (conn) => {
    await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user.username, host, user.password]);
    await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [user.username, host, user.password]);
    if (user.requireTls) await conn.query('ALTER USER ?@? REQUIRE SSL', [user.username, host]);
    // In GRANT, `_` and `%` in a database name are wildcards: escape them so the grant covers this database only.
    const grantTarget = mysql.escapeId(user.database.replace(/[_%]/g, '\\$&'));
    await conn.query(`GRANT ALL PRIVILEGES ON ${grantTarget}.* TO ?@?`, [user.username, host]);
  });
}

export async function dropDatabaseUser(admin: MysqlAdmin, username: string, host = '%'): Promise<void> {
  await withMysqlAdmin(admin, (conn) => conn.query('DROP USER IF EXISTS ?@?', [username, host]));
}

export async function databaseUserExists(admin: MysqlAdmin, username: string, host = '%'): Promise<boolean> {
  return withMysqlAdmin(admin, async (conn) => {
    const [rows] = await conn.query('SELECT User FROM mysql.user WHERE User = ? AND Host = ?', [username, host]);
    return Array.isArray(rows) && rows.length > 0;
  });
}

/** Parses `mysql://user:pass@host:port` into an admin connection. */
export function mysqlAdminFromUrl(url: string): MysqlAdmin {
  const parsed = new URL(url);
  const tlsParam = parsed.searchParams.get('ssl') ?? parsed.searchParams.get('tls');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    ...(tlsParam === 'true' ? { tls: true } : {}),
  };
}

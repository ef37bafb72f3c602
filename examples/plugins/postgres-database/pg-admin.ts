import pg from 'pg';
import { type BackendError, errors } from 'omnibroker/plugin-api';

export interface PgAdmin {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The database the admin connects to for server-wide statements. */
  database: string;
  connectTimeoutMs: number;
}

/** postgres://user:password@host:port/database → admin connection settings. */
export function pgAdminFromUrl(url: string, connectTimeoutMs: number): PgAdmin {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    connectTimeoutMs,
  };
}

// SQLSTATE classes 08 (connection), 28 (authorization), 57P (shutdown), 53 (resources): the server is unusable.
const UNAVAILABLE_SQLSTATE = /^(08|28|57P|53)/;

/** Maps a pg error onto the plugin error table, naming the server and keeping its message. */
export function pgError(error: unknown, server: string, what: string): BackendError {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message || String(code ?? error);
  const codeText = typeof code === 'string' ? code : '';
  if (UNAVAILABLE_SQLSTATE.test(codeText) || /^E[A-Z]+$/.test(codeText)) {
    return errors.unavailable(`PostgreSQL server ${server} unusable (${what}): ${codeText} ${message}`.trim(), {
      cause: error,
    });
  }
  return errors.internal(`PostgreSQL server ${server} failed to ${what}: ${message}`, { cause: error });
}

/** One short-lived admin connection (to `database`, default the admin's own), closed whatever happens. */
export async function withPg<T>(
  admin: PgAdmin,
  work: (client: pg.Client) => Promise<T>,
  database?: string,
): Promise<T> {
  const client = new pg.Client({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    database: database ?? admin.database,
    connectionTimeoutMillis: admin.connectTimeoutMs,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

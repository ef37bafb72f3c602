import { type Db, MongoClient, MongoServerError, MongoServerSelectionError } from 'mongodb';
import {
  derivedName,
  errors,
  type JsonObject,
  mongodbCredentials,
  randomPassword,
  untilAborted,
} from '../../../plugin-api/index.ts';
import {
  type ChartProvider,
  PROVIDER_NAME,
  type ReleaseEndpoint,
  requireSecretKey,
  valueAt,
} from './chart-provider.ts';

const ROOT_PASSWORD_KEY = 'mongodb-root-password';
const USER_NOT_FOUND = 11;
const USER_ALREADY_EXISTS = 51003;

/** The chart's first custom database (`auth.databases`), else `db`: one database per release, shared by its bindings. */
function databaseOf(endpoint: ReleaseEndpoint): string {
  const databases = (endpoint.values as { auth?: { databases?: unknown } }).auth?.databases;
  const first: unknown = Array.isArray(databases) ? databases[0] : undefined;
  return typeof first === 'string' && first !== '' ? first : 'db';
}

/**
 * A standalone server is talked to directly. For a replica set the Service is only a seed: the driver discovers
 * the members and sends createUser/dropUser to the primary, which replicates them to the secondaries.
 */
function topologyOf(endpoint: ReleaseEndpoint) {
  return valueAt(endpoint.values, 'architecture') === 'replicaset'
    ? { replicaSet: valueAt(endpoint.values, 'replicaSetName') ?? 'rs0' }
    : { directConnection: true };
}

async function asRoot<T>(
  endpoint: ReleaseEndpoint,
  database: string,
  signal: AbortSignal,
  work: (db: Db) => Promise<T>,
): Promise<T> {
  const { connectHost, connectPort } = endpoint;
  const address = `${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${connectPort}`;
  const client = new MongoClient(`mongodb://${address}/`, {
    auth: {
      username: valueAt(endpoint.values, 'auth.rootUser') ?? 'root',
      password: requireSecretKey(endpoint, ROOT_PASSWORD_KEY),
    },
    authSource: 'admin',
    connectTimeoutMS: 5000,
    serverSelectionTimeoutMS: 5000,
    ...topologyOf(endpoint),
  });
  try {
    return await untilAborted(
      signal,
      () => void client.close(true).catch(() => undefined),
      async () => {
        await client.connect();
        return work(client.db(database));
      },
    );
  } catch (cause) {
    // The driver retries until server selection times out, then reports that without a Node error code.
    if (cause instanceof MongoServerSelectionError) {
      const message = `MongoDB of release ${endpoint.release} at ${address} is unreachable: ${cause.message}`;
      throw errors.unavailable(message, { cause });
    }
    throw cause;
  } finally {
    await client.close().catch(() => undefined);
  }
}

const hasCode = (error: unknown, code: number) => error instanceof MongoServerError && error.code === code;

// A majority write concern: on a replica set the user survives a failover before its credentials are handed out.
const writeConcern = { w: 'majority' };

export const mongodbProvider: ChartProvider = {
  tags: ['mongodb'],
  portNames: ['mongodb'],
  defaultPort: 27017,
  secretKey: ROOT_PASSWORD_KEY,
  async bind(endpoint, bindingId, signal) {
    const database = databaseOf(endpoint);
    const username = derivedName('u', bindingId, 15);
    const password = randomPassword();
    const roles = [{ role: 'readWrite', db: database }];
    await asRoot(endpoint, database, signal, async (db) => {
      try {
        await db.command({ createUser: username, pwd: password, roles, writeConcern });
      } catch (error) {
        // A repeated bind (after a crash) finds its user: it gets the new password.
        if (!hasCode(error, USER_ALREADY_EXISTS)) throw error;
        await db.command({ updateUser: username, pwd: password, roles, writeConcern });
      }
    });
    return {
      credentials: mongodbCredentials({
        provider: PROVIDER_NAME,
        host: endpoint.host,
        port: endpoint.port,
        database,
        username,
        password,
        authSource: database,
      }),
      // The database too: the release's values may name another one by the time of unbind.
      data: { username, database },
    };
  },
  async unbind(endpoint, data: JsonObject, signal) {
    const { username, database } = data;
    if (typeof username !== 'string' || typeof database !== 'string') return;
    await asRoot(endpoint, database, signal, async (db) => {
      try {
        await db.command({ dropUser: username, writeConcern });
      } catch (error) {
        if (!hasCode(error, USER_NOT_FOUND)) throw error;
      }
    });
  },
};

import {
  type Backend,
  type BindOutput,
  type BindRequest,
  type Catalog,
  type DeprovisionOutput,
  type DeprovisionRequest,
  derivedName,
  done,
  errors,
  type HealthStatus,
  type InstanceView,
  type Outcome,
  type ProvisionOutput,
  type ProvisionRequest,
  randomPassword,
  sqlCredentials,
  type UnbindOutput,
  type UnbindRequest,
  type UpdateOutput,
  type UpdateRequest,
} from 'omnibroker/plugin-api';
import type pg from 'pg';
import { PLAN_ID, POSTGRES_CATALOG, SERVICE_ID } from './catalog.ts';
import { type PgAdmin, pgError, withPg } from './pg-admin.ts';

export interface PostgresBackendSettings {
  admin: PgAdmin;
  advertisedHost: string;
  advertisedPort: number;
  databasePrefix: string;
  provider: string;
}

const ident = (client: pg.Client, name: string) => client.escapeIdentifier(name);

/**
 * A database per instance, owned by a NOLOGIN owner role (PUBLIC may not connect); a LOGIN role per binding
 * that is a member of the owner and acts as it (`SET role`), so every binding sees and owns the same tables
 * and dropping a binding's role leaves them in place.
 */
export class PostgresBackend implements Backend {
  private readonly server: string;

  constructor(private readonly settings: PostgresBackendSettings) {
    this.server = `${settings.admin.host}:${settings.admin.port}`;
  }

  async catalog(): Promise<Catalog> {
    return POSTGRES_CATALOG;
  }

  async provision(request: ProvisionRequest): Promise<Outcome<ProvisionOutput>> {
    if (request.serviceId !== SERVICE_ID || request.planId !== PLAN_ID) {
      throw errors.badRequest(`service ${request.serviceId} plan ${request.planId} is not offered here`);
    }
    this.refuseParameters(request.parameters);
    const database = derivedName(this.settings.databasePrefix, request.instanceId);
    const owner = `${database}_owner`;
    await this.onServer(`create database ${database}`, () =>
      withPg(this.settings.admin, async (client) => {
        const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner]);
        if (role.rowCount === 0) await client.query(`CREATE ROLE ${ident(client, owner)} NOLOGIN`);
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0) {
          await client.query(`CREATE DATABASE ${ident(client, database)} OWNER ${ident(client, owner)}`);
        }
        await client.query(`REVOKE ALL ON DATABASE ${ident(client, database)} FROM PUBLIC`);
      }),
    );
    await this.onServer(`hand schema public of ${database} to ${owner}`, () =>
      withPg(
        this.settings.admin,
        (client) => client.query(`ALTER SCHEMA public OWNER TO ${ident(client, owner)}`),
        database,
      ),
    );
    return done({ data: { database } });
  }

  async update(request: UpdateRequest): Promise<Outcome<UpdateOutput>> {
    if (request.planId !== request.instance.planId) throw errors.badRequest('this service has a single plan');
    this.refuseParameters(request.parameters);
    return done({});
  }

  async deprovision(request: DeprovisionRequest): Promise<Outcome<DeprovisionOutput>> {
    const database = this.databaseOf(request.instance);
    const owner = `${database}_owner`;
    await this.onServer(`drop database ${database}`, () =>
      withPg(this.settings.admin, async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
        await client.query(`DROP DATABASE IF EXISTS ${ident(client, database)}`);
        // Roles of bindings never unbound would otherwise outlive their database.
        const members = await client.query<{ rolname: string }>(
          'SELECT m.rolname FROM pg_auth_members a JOIN pg_roles o ON o.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE o.rolname = $1',
          [owner],
        );
        for (const { rolname } of members.rows) await client.query(`DROP ROLE IF EXISTS ${ident(client, rolname)}`);
        await client.query(`DROP ROLE IF EXISTS ${ident(client, owner)}`);
      }),
    );
    return done({});
  }

  async bind(request: BindRequest): Promise<Outcome<BindOutput>> {
    this.refuseParameters(request.parameters);
    const database = this.databaseOf(request.instance);
    const owner = `${database}_owner`;
    const username = derivedName(`${this.settings.databasePrefix}u_`, request.bindingId);
    const password = randomPassword();
    await this.onServer(`create role ${username}`, () =>
      withPg(this.settings.admin, async (client) => {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0)
          throw errors.internal(`database ${database} of instance ${request.instance.id} is missing`);
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
        // CREATE/ALTER ROLE take no bind parameters: the generated password goes through escapeLiteral.
        const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
        await client.query(`${verb} ROLE ${ident(client, username)} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
        await client.query(`GRANT ${ident(client, owner)} TO ${ident(client, username)}`);
        await client.query(`ALTER ROLE ${ident(client, username)} SET role TO ${ident(client, owner)}`);
      }),
    );
    const credentials = sqlCredentials({
      engine: 'postgresql',
      provider: this.settings.provider,
      host: this.settings.advertisedHost,
      port: this.settings.advertisedPort,
      database,
      username,
      password,
    });
    return done({ credentials, data: { username } });
  }

  async unbind(request: UnbindRequest): Promise<Outcome<UnbindOutput>> {
    const stored = request.binding.data.username;
    const username =
      typeof stored === 'string' ? stored : derivedName(`${this.settings.databasePrefix}u_`, request.binding.id);
    await this.onServer(`drop role ${username}`, () =>
      withPg(this.settings.admin, async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [username]);
        await client.query(`DROP ROLE IF EXISTS ${ident(client, username)}`);
      }),
    );
    return done({});
  }

  async health(): Promise<HealthStatus> {
    try {
      const version = await withPg(this.settings.admin, async (client) => {
        const result = await client.query<{ version: string }>('SHOW server_version');
        return result.rows[0]?.version ?? 'unknown version';
      });
      return { ok: true, detail: `PostgreSQL server ${this.server} answers (${version})` };
    } catch (error) {
      return { ok: false, detail: pgError(error, this.server, 'answer a ping').message };
    }
  }

  private databaseOf(instance: InstanceView): string {
    const stored = instance.data.database;
    return typeof stored === 'string' ? stored : derivedName(this.settings.databasePrefix, instance.id);
  }

  private refuseParameters(parameters: Record<string, unknown>): void {
    const names = Object.keys(parameters);
    if (names.length > 0) throw errors.invalidParameters(`this service takes no parameters (got ${names.join(', ')})`);
  }

  private async onServer<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if ((error as { name?: string }).name === 'BackendError') throw error;
      throw pgError(error, this.server, what);
    }
  }
}

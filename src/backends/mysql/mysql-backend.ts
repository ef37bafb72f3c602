import {
  type Backend,
  type CallContext,
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
} from '../../plugin-api/index.ts';
import {
  createDatabase,
  createDatabaseUser,
  databaseExists,
  dropDatabase,
  dropDatabaseUser,
  type MysqlAdmin,
  withMysqlAdmin,
} from '../../plugin-api/mysql-accounts.ts';
import { MYSQL_CATALOG, PLAN_SETTINGS, type PlanSettings, SERVICE_ID } from './catalog.ts';
import { serverError } from './server-errors.ts';

export interface MysqlBackendSettings {
  admin: MysqlAdmin;
  /** Host and port written into credentials (what apps connect to). */
  advertisedHost: string;
  advertisedPort: number;
  databasePrefix: string;
  provider: string;
}

const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The seeds' shared-MySQL broker: a database per instance, a user per binding, on one server. */
export class MysqlBackend implements Backend {
  private readonly server: string;
  private readonly userPrefix: string;

  constructor(private readonly settings: MysqlBackendSettings) {
    this.server = `${settings.admin.host}:${settings.admin.port}`;
    this.userPrefix = `${settings.databasePrefix}u_`;
  }

  async catalog(): Promise<Catalog> {
    return MYSQL_CATALOG;
  }

  async provision(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>> {
    if (request.serviceId !== SERVICE_ID) throw errors.badRequest(`service ${request.serviceId} is not offered here`);
    this.planSettings(request.planId);
    this.refuseParameters(request.parameters);
    const database = derivedName(this.settings.databasePrefix, request.instanceId);
    await this.onServer(`create database ${database}`, () => createDatabase(this.admin(ctx), database));
    return done({ data: { database } });
  }

  async update(request: UpdateRequest): Promise<Outcome<UpdateOutput>> {
    if (request.planId !== request.instance.planId) {
      throw errors.badRequest('the plan of a shared MySQL database cannot be changed');
    }
    this.refuseParameters(request.parameters);
    return done({});
  }

  async deprovision(request: DeprovisionRequest, ctx: CallContext): Promise<Outcome<DeprovisionOutput>> {
    const database = this.databaseOf(request.instance);
    // Users of bindings never unbound would otherwise outlive their database.
    const leftovers = await this.onServer(`list the users of ${database}`, () => this.usersOf(database, ctx));
    for (const user of leftovers) {
      await this.onServer(`drop user ${user.name}`, () => dropDatabaseUser(this.admin(ctx), user.name, user.host));
    }
    await this.onServer(`drop database ${database}`, () => dropDatabase(this.admin(ctx), database));
    return done({});
  }

  async bind(request: BindRequest, ctx: CallContext): Promise<Outcome<BindOutput>> {
    const { instance } = request;
    const plan = this.planSettings(instance.planId);
    this.refuseParameters(request.parameters);
    const database = this.databaseOf(instance);
    const admin = this.admin(ctx);
    const exists = await this.onServer(`look up database ${database}`, () => databaseExists(admin, database));
    if (!exists) throw errors.internal(`database ${database} of instance ${instance.id} is missing on ${this.server}`);
    const username = derivedName(this.userPrefix, request.bindingId);
    const password = randomPassword();
    const requireTls = admin.tls !== undefined && admin.tls !== false;
    await this.onServer(`create user ${username}`, async () => {
      await createDatabaseUser(admin, { database, username, password, requireTls });
      const limit = plan.maxUserConnections;
      if (limit !== undefined) {
        await withMysqlAdmin(admin, (conn) =>
          conn.query("ALTER USER ?@'%' WITH MAX_USER_CONNECTIONS ?", [username, limit]),
        );
      }
    });
    const credentials = sqlCredentials({
      engine: 'mysql',
      provider: this.settings.provider,
      host: this.settings.advertisedHost,
      port: this.settings.advertisedPort,
      database,
      username,
      password,
      tls: requireTls,
    });
    return done({ credentials, data: { username } });
  }

  async unbind(request: UnbindRequest, ctx: CallContext): Promise<Outcome<UnbindOutput>> {
    const username = stringOf(request.binding.data.username) ?? derivedName(this.userPrefix, request.binding.id);
    await this.onServer(`drop user ${username}`, () => dropDatabaseUser(this.admin(ctx), username));
    return done({});
  }

  async health(ctx: CallContext): Promise<HealthStatus> {
    try {
      const version = await withMysqlAdmin(this.admin(ctx), async (conn) => {
        const [rows] = await conn.query('SELECT VERSION() AS version');
        return (rows as Array<{ version: string }>)[0]?.version ?? 'unknown version';
      });
      return { ok: true, detail: `MySQL server ${this.server} answers (${version})` };
    } catch (error) {
      return { ok: false, detail: serverError(error, this.server, 'answer a ping').message };
    }
  }

  /** The admin connection for one call: closed when the call's deadline passes. */
  private admin(ctx: CallContext): MysqlAdmin {
    return { ...this.settings.admin, signal: ctx.signal };
  }

  private planSettings(planId: string): PlanSettings {
    const plan = PLAN_SETTINGS[planId];
    if (plan === undefined) throw errors.badRequest(`plan ${planId} is not a plan of the mysql service`);
    return plan;
  }

  private refuseParameters(parameters: Record<string, unknown>): void {
    const names = Object.keys(parameters);
    if (names.length > 0)
      throw errors.invalidParameters(`the mysql service takes no parameters (got ${names.join(', ')})`);
  }

  /** The name chosen at provision time (kept in `data`), so a later prefix change cannot orphan a database. */
  private databaseOf(instance: InstanceView): string {
    return stringOf(instance.data.database) ?? derivedName(this.settings.databasePrefix, instance.id);
  }

  /** Accounts this backend made with privileges on `database`. */
  private async usersOf(database: string, ctx: CallContext): Promise<Array<{ name: string; host: string }>> {
    // mysql.db keeps the GRANT's pattern: the name as given, or with `_`/`%` escaped.
    const escaped = database.replace(/[_%]/g, '\\$&');
    return withMysqlAdmin(this.admin(ctx), async (conn) => {
      const [rows] = await conn.query('SELECT User AS name, Host AS host FROM mysql.db WHERE Db IN (?, ?)', [
        database,
        escaped,
      ]);
      return (rows as Array<{ name: string; host: string }>).filter((row) => row.name.startsWith(this.userPrefix));
    });
  }

  private async onServer<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw serverError(error, this.server, what);
    }
  }
}

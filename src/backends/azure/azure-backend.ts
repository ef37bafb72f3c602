import type { Server, ServerForUpdate } from '@azure/arm-mysql-flexible';
import {
  type Backend,
  type BindOutput,
  type BindRequest,
  type CallContext,
  type Catalog,
  type DeprovisionOutput,
  type DeprovisionRequest,
  derivedName,
  done,
  errors,
  type HealthStatus,
  type InstanceView,
  type JsonObject,
  type LastOperationRequest,
  type OperationStatus,
  type Outcome,
  type ProvisionOutput,
  type ProvisionRequest,
  randomPassword,
  sqlCredentials,
  started,
  type UnbindOutput,
  type UnbindRequest,
  type UpdateOutput,
  type UpdateRequest,
} from '../../plugin-api/index.ts';
import { createDatabaseUser, dropDatabaseUser, type MysqlAdmin } from '../../plugin-api/mysql-accounts.ts';
import { adminPasswordFor } from './admin-password.ts';
import { armError, isNotFound, isOperationFailure, operationFailureText } from './arm-errors.ts';
import type { ArmSteps, StepBody } from './arm-steps.ts';
import { AZURE_CATALOG, parsePlanId, type ServiceRole, TIERS, type TierName } from './catalog.ts';
import { mysqlError } from './mysql-errors.ts';
import { decodeToken, encodeToken, type OperationToken, type Step } from './operation-token.ts';
import { requiredString, serverChangeFrom, serverSpecFrom } from './server-parameters.ts';

export const PROVIDER = 'azure-mysql-flexible';
const ALIAS = /^[a-z0-9][a-z0-9-]{0,40}$/;
const DATABASE_PREFIX = 'ob_';
const USER_PREFIX = 'ob_u_';
/** ARM tags that record who owns a server, so that aliases cannot be taken over and children can check their parent. */
const TAG_INSTANCE = 'omnibroker-instance';
const TAG_ROLE = 'omnibroker-role';
const TAG_ALIAS = 'omnibroker-alias';

export interface AzureBackendConfig {
  steps: ArmSteps;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  serverNamePrefix: string;
  administratorLogin: string;
  adminPasswordKey: string;
  network?: { delegatedSubnetResourceId: string; privateDnsZoneResourceId?: string };
  tags: Record<string, string>;
  mysql: { port: number; tls: MysqlAdmin['tls']; connectTimeoutMs: number };
}

function text(data: JsonObject, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describeStep(step: Step): string {
  switch (step.op) {
    case 'create-server':
      return `create server ${step.server}`;
    case 'update-server':
      return `update server ${step.server}`;
    case 'delete-server':
      return `delete server ${step.server}`;
    case 'create-firewall-rule':
      return `create firewall rule ${step.rule.name} on server ${step.server}`;
    case 'create-database':
      return `create database ${step.database} on server ${step.server}`;
    case 'delete-database':
      return `delete database ${step.database} on server ${step.server}`;
    case 'await-parent':
      return `wait for parent server ${step.server} to be ready`;
  }
}

/** A step's operation that Azure reports failed is the operation's end; any other error is the exchange's. */
function stepFailed(error: unknown, step: Step): OperationStatus<ProvisionOutput> {
  if (!isOperationFailure(error)) throw armError(error, describeStep(step));
  return { state: 'failed', description: `Azure could not ${describeStep(step)}: ${operationFailureText(error)}` };
}

/** What the broker keeps about a server after an operation: read back from Azure, never assumed. */
function serverFacts(server: Server): JsonObject {
  return {
    fqdn: server.fullyQualifiedDomainName ?? '',
    version: server.version ?? '',
    sku: server.sku?.name ?? '',
    skuTier: server.sku?.tier ?? '',
    storageGb: server.storage?.storageSizeGB ?? 0,
    backupRetentionDays: server.backup?.backupRetentionDays ?? 0,
    highAvailability: server.highAvailability?.mode ?? 'Disabled',
    administratorLogin: server.administratorLogin ?? '',
  };
}

/**
 * Azure Database for MySQL Flexible Server: provision/update/deprovision are ARM long-running operations
 * (possibly several in a row: server, firewall rules, database), bind/unbind are MySQL users on the server.
 */
export class AzureMysqlBackend implements Backend {
  constructor(private readonly config: AzureBackendConfig) {}

  async catalog(): Promise<Catalog> {
    return AZURE_CATALOG;
  }

  /** One authenticated ARM read in the resource group: proves credential, endpoint, subscription and group. */
  async health(ctx: CallContext): Promise<HealthStatus> {
    const { subscriptionId, resourceGroup } = this.config;
    try {
      const servers = await this.config.steps.firstServerPage(ctx.signal);
      return {
        ok: true,
        detail: `ARM lists resource group ${resourceGroup} of subscription ${subscriptionId}: ${servers.length} MySQL flexible server(s) on the first page`,
      };
    } catch (error) {
      return {
        ok: false,
        detail: armError(error, `list the MySQL flexible servers of resource group ${resourceGroup}`).message,
      };
    }
  }

  async provision(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>> {
    if (!request.acceptsIncomplete) {
      throw errors.asyncRequired('Azure creates MySQL servers and databases asynchronously: accepts_incomplete=true');
    }
    const plan = this.plan(request.planId);
    if (plan.role === 'database') return this.provisionDatabase(request, ctx);
    const tier = plan.tier as TierName;
    const spec = serverSpecFrom(tier, request.parameters);
    const alias = plan.role === 'dbms' ? requiredString(request.parameters, 'alias', ALIAS) : undefined;
    const server =
      alias === undefined ? derivedName(this.config.serverNamePrefix, request.instanceId) : this.aliasServer(alias);
    if (alias !== undefined) await this.claimAlias(server, alias, request.instanceId, ctx);
    const password = this.adminPassword(server);
    const body: Server = {
      location: this.config.location,
      tags: {
        ...this.config.tags,
        [TAG_INSTANCE]: request.instanceId,
        [TAG_ROLE]: plan.role,
        ...(alias === undefined ? {} : { [TAG_ALIAS]: alias }),
      },
      sku: { name: spec.sku, tier: TIERS[tier].tier },
      administratorLogin: this.config.administratorLogin,
      administratorLoginPassword: password,
      version: spec.version,
      createMode: 'Default',
      storage: { storageSizeGB: spec.storageGb, autoGrow: 'Enabled' },
      backup: { backupRetentionDays: spec.backupRetentionDays, geoRedundantBackup: 'Disabled' },
      highAvailability: { mode: spec.highAvailability },
      ...(this.config.network === undefined ? {} : { network: this.config.network }),
    };
    const database = plan.role === 'server' ? derivedName(DATABASE_PREFIX, request.instanceId) : undefined;
    const next: Step[] = spec.firewallRules.map((rule) => ({ op: 'create-firewall-rule', server, rule }));
    if (database !== undefined) next.push({ op: 'create-database', server, database });
    const { token } = await this.begin({ op: 'create-server', server }, next, ctx, { server: body });
    return started(encodeToken(token), {
      data: {
        role: plan.role,
        server,
        tier,
        administratorLogin: this.config.administratorLogin,
        ...(database === undefined ? {} : { database }),
        ...(alias === undefined ? {} : { alias }),
      },
      secrets: { administratorLoginPassword: password },
    });
  }

  async update(request: UpdateRequest, ctx: CallContext): Promise<Outcome<UpdateOutput>> {
    const plan = this.plan(request.planId);
    if (plan.role === 'database') {
      if (Object.keys(request.parameters).length > 0)
        throw errors.invalidParameters('a mysql-database has nothing to update');
      return done({});
    }
    const tier = plan.tier as TierName;
    const data = request.instance.data;
    const change = serverChangeFrom(tier, request.planId !== request.instance.planId, request.parameters, {
      ...(typeof data.storageGb === 'number' ? { storageGb: data.storageGb } : {}),
      ...(typeof data.highAvailability === 'string' ? { highAvailability: data.highAvailability } : {}),
    });
    if (Object.keys(change).length === 0) return done({});
    if (!request.acceptsIncomplete)
      throw errors.asyncRequired('Azure updates servers asynchronously: accepts_incomplete=true');
    const update: ServerForUpdate = {
      ...(change.sku === undefined ? {} : { sku: { name: change.sku, tier: TIERS[tier].tier } }),
      ...(change.storageGb === undefined ? {} : { storage: { storageSizeGB: change.storageGb } }),
      ...(change.backupRetentionDays === undefined
        ? {}
        : { backup: { backupRetentionDays: change.backupRetentionDays } }),
      ...(change.highAvailability === undefined ? {} : { highAvailability: { mode: change.highAvailability } }),
    };
    const server = this.serverOf(request.instance);
    const { token } = await this.begin({ op: 'update-server', server }, [], ctx, { update });
    return started(encodeToken(token), { data: { tier } });
  }

  async deprovision(request: DeprovisionRequest, ctx: CallContext): Promise<Outcome<DeprovisionOutput>> {
    if (!request.acceptsIncomplete) throw errors.asyncRequired('Azure deletes asynchronously: accepts_incomplete=true');
    const { instance } = request;
    const server = this.serverOf(instance);
    const database = text(instance.data, 'database');
    if (text(instance.data, 'role') === 'dbms') await this.refuseWhileChildren(server, ctx);
    const step: Step =
      text(instance.data, 'role') === 'database' && database !== undefined
        ? { op: 'delete-database', server, database }
        : { op: 'delete-server', server };
    const { token, finished } = await this.begin(step, [], ctx);
    return finished ? done({}) : started(encodeToken(token));
  }

  async lastOperation(request: LastOperationRequest, ctx: CallContext): Promise<OperationStatus<ProvisionOutput>> {
    const token = decodeToken(request.operation);
    const { step } = token;
    if (step.op === 'await-parent') {
      const parent = await this.getServer(step.server, ctx, 'read the parent server');
      if (parent === undefined)
        return { state: 'failed', description: `parent server ${step.server} no longer exists` };
      if (parent.state !== 'Ready') {
        return {
          state: 'in progress',
          description: `waiting for parent server ${step.server} (state ${parent.state})`,
        };
      }
      return this.advance(token.next, request.instance, ctx);
    }
    let poller: Awaited<ReturnType<ArmSteps['run']>>;
    try {
      poller = await this.config.steps.run(step, {
        abortSignal: ctx.signal,
        ...(token.poller === undefined ? {} : { resumeFrom: token.poller }),
      });
    } catch (error) {
      return stepFailed(error, step);
    }
    if (!poller.isDone()) {
      return {
        state: 'in progress',
        description: `${describeStep(step)}: in progress`,
        operation: encodeToken({ ...token, poller: poller.toString() }),
      };
    }
    return this.advance(token.next, request.instance, ctx);
  }

  async bind(request: BindRequest, ctx: CallContext): Promise<Outcome<BindOutput>> {
    const database = text(request.instance.data, 'database');
    if (database === undefined) throw errors.badRequest('mysql-dbms instances are not bindable: bind a mysql-database');
    const admin = await this.adminOf(request.instance, ctx.signal);
    const username = derivedName(USER_PREFIX, request.bindingId);
    const password = randomPassword(32);
    const tls = admin.tls !== undefined && admin.tls !== false;
    try {
      await createDatabaseUser(admin, { database, username, password, requireTls: tls });
    } catch (error) {
      throw mysqlError(error, admin.host, `create user ${username}`);
    }
    return done({
      credentials: sqlCredentials({
        engine: 'mysql',
        provider: PROVIDER,
        host: admin.host,
        port: admin.port,
        database,
        username,
        password,
        tls,
      }),
      data: { username },
    });
  }

  async unbind(request: UnbindRequest, ctx: CallContext): Promise<Outcome<UnbindOutput>> {
    const username = text(request.binding.data, 'username') ?? derivedName(USER_PREFIX, request.binding.id);
    const admin = await this.adminOf(request.instance, ctx.signal);
    try {
      await dropDatabaseUser(admin, username);
    } catch (error) {
      throw mysqlError(error, admin.host, `drop user ${username}`);
    }
    return done({});
  }

  private plan(planId: string): NonNullable<ReturnType<typeof parsePlanId>> {
    const plan = parsePlanId(planId);
    if (plan === undefined) throw errors.badRequest(`unknown plan ${planId}`);
    return plan;
  }

  private aliasServer(alias: string): string {
    return derivedName(this.config.serverNamePrefix, `alias:${alias}`);
  }

  private serverOf(instance: InstanceView): string {
    const server = text(instance.data, 'server');
    if (server !== undefined) return server;
    const role = parsePlanId(instance.planId)?.role;
    const alias = typeof instance.parameters.alias === 'string' ? instance.parameters.alias : undefined;
    if (role === 'dbms' && alias !== undefined) return this.aliasServer(alias);
    return derivedName(this.config.serverNamePrefix, instance.id);
  }

  private serverResourceId(server: string): string {
    const { subscriptionId, resourceGroup } = this.config;
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.DBforMySQL/flexibleServers/${server}`;
  }

  private adminPassword(server: string): string {
    return adminPasswordFor(this.config.adminPasswordKey, this.serverResourceId(server));
  }

  /** Starts a step's ARM operation; `finished` when Azure completed it at once (e.g. deleting nothing). */
  private async begin(
    step: Step,
    next: Step[],
    ctx: CallContext,
    body?: StepBody,
  ): Promise<{ token: OperationToken; finished: boolean }> {
    try {
      const poller = await this.config.steps.run(step, { abortSignal: ctx.signal }, body);
      return { token: { v: 1, step, poller: poller.toString(), next }, finished: poller.isDone() && next.length === 0 };
    } catch (error) {
      throw armError(error, describeStep(step));
    }
  }

  /** The current step is done: start the next one, or report success with what Azure now says. */
  private async advance(
    next: Step[],
    instance: InstanceView,
    ctx: CallContext,
  ): Promise<OperationStatus<ProvisionOutput>> {
    const [step, ...rest] = next;
    if (step !== undefined) {
      try {
        const poller = await this.config.steps.run(step, { abortSignal: ctx.signal });
        return {
          state: 'in progress',
          description: `${describeStep(step)}: started`,
          operation: encodeToken({ v: 1, step, poller: poller.toString(), next: rest }),
        };
      } catch (error) {
        return stepFailed(error, step);
      }
    }
    const server = text(instance.data, 'server');
    const current = server === undefined ? undefined : await this.getServer(server, ctx, 'read the server');
    if (current === undefined) return { state: 'succeeded' };
    return { state: 'succeeded', output: { data: serverFacts(current) } };
  }

  private async getServer(server: string, ctx: CallContext, what: string): Promise<Server | undefined> {
    try {
      return await this.config.steps.getServer(server, ctx.signal);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw armError(error, what);
    }
  }

  private async claimAlias(server: string, alias: string, instanceId: string, ctx: CallContext): Promise<void> {
    const existing = await this.getServer(server, ctx, `look up alias ${alias}`);
    const owner = existing?.tags?.[TAG_INSTANCE];
    if (existing !== undefined && owner !== instanceId) {
      throw errors.conflict(`alias ${alias} is already used by another mysql-dbms instance`);
    }
  }

  private async provisionDatabase(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>> {
    const parentAlias = requiredString(request.parameters, 'parent_alias', ALIAS);
    const server = this.aliasServer(parentAlias);
    const parent = await this.getServer(server, ctx, `look up the server of alias ${parentAlias}`);
    if (parent === undefined || parent.tags?.[TAG_ROLE] !== ('dbms' satisfies ServiceRole)) {
      throw errors.invalidParameters(`no mysql-dbms instance has alias ${parentAlias}`);
    }
    const database = derivedName(DATABASE_PREFIX, request.instanceId);
    const create: Step = { op: 'create-database', server, database };
    const token: OperationToken =
      parent.state === 'Ready'
        ? (await this.begin(create, [], ctx)).token
        : { v: 1, step: { op: 'await-parent', server }, next: [create] };
    return started(encodeToken(token), {
      data: { role: 'database', server, database, parentAlias, ...serverFacts(parent) },
    });
  }

  /** A parent's children are the databases this backend created on it; Azure's list is the truth after any restart. */
  private async refuseWhileChildren(server: string, ctx: CallContext): Promise<void> {
    let names: string[];
    try {
      names = await this.config.steps.databaseNames(server, ctx.signal);
    } catch (error) {
      if (isNotFound(error)) return;
      throw armError(error, `list the databases of server ${server}`);
    }
    const children = names.filter((n) => n.startsWith(DATABASE_PREFIX));
    if (children.length > 0) {
      throw errors.conflict(
        `server ${server} still holds ${children.length} mysql-database instance(s) (${children.join(', ')}): deprovision them first`,
      );
    }
  }

  private async adminOf(instance: InstanceView, signal: AbortSignal): Promise<MysqlAdmin> {
    const server = this.serverOf(instance);
    const host = text(instance.data, 'fqdn');
    if (host === undefined) throw errors.internal(`server ${server} has no known host name yet`);
    const ownPassword = text(instance.secrets, 'administratorLoginPassword');
    const { mysql } = this.config;
    return {
      host,
      port: mysql.port,
      user: text(instance.data, 'administratorLogin') ?? this.config.administratorLogin,
      password: ownPassword ?? this.adminPassword(server),
      connectTimeoutMs: mysql.connectTimeoutMs,
      ...(mysql.tls === undefined ? {} : { tls: mysql.tls }),
      signal,
    };
  }
}

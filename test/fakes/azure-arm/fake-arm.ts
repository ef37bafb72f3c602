import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MysqlAdmin } from '../../../src/plugin-api/mysql-accounts.ts';
import {
  API_VERSION,
  type ArmError,
  childBody,
  type FakeServer,
  PROVIDER_PATH,
  SYSTEM_DATABASES,
  serverBody,
} from './arm-resources.ts';
import { MysqlInside } from './mysql-inside.ts';

export type OperationKind =
  | 'create-server'
  | 'update-server'
  | 'delete-server'
  | 'create-database'
  | 'delete-database'
  | 'create-firewall-rule';

export interface FakeArmOptions {
  tls: { key: string; cert: string };
  subscriptionId: string;
  /** A bearer token accepted as is. */
  accessToken?: string;
  /** Also accepts the tokens this says were issued for `audience` (this fake's URL), e.g. a fake Entra's. */
  verifyToken?: (token: string, audience: string) => boolean;
  /** A valid token whose identity has no role assignment: every request is 403 AuthorizationFailed. */
  tokenWithoutRole?: string;
  /** The resource groups that exist (others answer 404 ResourceGroupNotFound); default any. */
  resourceGroups?: string[];
  /** Status polls that answer InProgress before an operation finishes (default 2). */
  pollsPerOperation?: number;
  /** fullyQualifiedDomainName reported for a server; default `<name>.mysql.database.azure.com`. */
  fqdn?: (server: string) => string;
  /** A real MySQL/MariaDB playing the inside of every server: admin account and databases are made there. */
  mysql?: MysqlAdmin;
}

interface Operation {
  id: string;
  kind: OperationKind;
  location: string;
  startTime: string;
  pollsLeft: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: ArmError;
  fault?: ArmError;
  /** The resource a finished operation's Location answers with. */
  resultPath?: string;
  finish(failed: boolean): Promise<void>;
}

export interface FakeArm {
  url: string;
  servers: Map<string, FakeServer>;
  /** Every request: method, path (without query), status answered. */
  requests: Array<{ method: string; path: string; status: number }>;
  /** The next operation of this kind runs, then ends Failed with this ARM error. */
  failNext(kind: OperationKind, error: ArmError): void;
  /** The next `count` requests are answered 429 with Retry-After (seconds). */
  throttleNext(count: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

const SERVER_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DBforMySQL\/flexibleServers(?:\/([^/]+)(?:\/(databases|firewallRules)(?:\/([^/]+))?)?)?$/i;
const OPERATION_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.DBforMySQL\/locations\/([^/]+)\/(azureAsyncOperation|operationResults)\/([^/]+)$/i;
const ACTIONS: Record<string, string> = { GET: 'read', DELETE: 'delete' };
const SERVER_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: ArmError,
  ) {
    super(error.message);
  }
}

const methodNotAllowed = () => new HttpError(405, { code: 'MethodNotAllowed', message: 'Method not allowed.' });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, { code: 'InvalidRequestContent', message: 'The request content was invalid JSON.' });
  }
}

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** An HTTPS fake of Azure Resource Manager for Microsoft.DBforMySQL/flexibleServers (API 2021-05-01). */
export async function startFakeArm(options: FakeArmOptions): Promise<FakeArm> {
  const servers = new Map<string, FakeServer>();
  const operations = new Map<string, Operation>();
  const faults = new Map<OperationKind, ArmError[]>();
  const requests: FakeArm['requests'] = [];
  const inside = options.mysql === undefined ? undefined : new MysqlInside(options.mysql);
  let throttled = 0;
  let throttleSeconds = 1;
  const pollsPerOperation = options.pollsPerOperation ?? 2;
  const fqdnOf = options.fqdn ?? ((name: string) => `${name}.mysql.database.azure.com`);
  let base = '';

  function startOperation(
    kind: OperationKind,
    location: string,
    resultPath: string | undefined,
    finish: Operation['finish'],
  ): Operation {
    const fault = faults.get(kind)?.shift();
    const op: Operation = {
      id: randomUUID(),
      kind,
      location,
      startTime: new Date().toISOString(),
      pollsLeft: pollsPerOperation,
      status: 'InProgress',
      ...(fault === undefined ? {} : { fault }),
      ...(resultPath === undefined ? {} : { resultPath }),
      finish,
    };
    operations.set(op.id, op);
    return op;
  }

  function asyncHeaders(op: Operation): Record<string, string> {
    const prefix = `${base}/subscriptions/${options.subscriptionId}/${PROVIDER_PATH}/locations/${op.location}`;
    return {
      'Azure-AsyncOperation': `${prefix}/azureAsyncOperation/${op.id}?api-version=${API_VERSION}`,
      Location: `${prefix}/operationResults/${op.id}?api-version=${API_VERSION}`,
      'Retry-After': '1',
    };
  }

  /** Each status read moves the operation on; the last one applies it (or its failure). */
  async function advance(op: Operation): Promise<void> {
    if (op.status !== 'InProgress') return;
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      return;
    }
    const failed = op.fault !== undefined;
    await op.finish(failed);
    op.status = failed ? 'Failed' : 'Succeeded';
    if (op.fault !== undefined) op.error = op.fault;
  }

  function serverOf(name: string): FakeServer {
    const server = servers.get(name);
    if (server === undefined) {
      throw new HttpError(404, {
        code: 'ResourceNotFound',
        message: `The Resource 'Microsoft.DBforMySQL/flexibleServers/${name}' under resource group was not found.`,
      });
    }
    return server;
  }

  function requireReady(server: FakeServer): void {
    if (server.state !== 'Ready') {
      throw new HttpError(409, {
        code: 'ServerBusy',
        message: `Server '${server.name}' is in state '${server.state}' and cannot accept this operation.`,
      });
    }
  }

  async function putServer(path: string, name: string, body: Record<string, unknown>, res: ServerResponse) {
    if (!SERVER_NAME.test(name)) {
      throw new HttpError(400, { code: 'InvalidServerName', message: `Server name '${name}' is invalid.` });
    }
    const props = obj(body.properties);
    const sku = obj(body.sku);
    const ha = String(obj(props.highAvailability).mode ?? 'Disabled');
    if (typeof body.location !== 'string' || typeof sku.name !== 'string' || typeof sku.tier !== 'string') {
      throw new HttpError(400, {
        code: 'InvalidParameterValue',
        message: 'location, sku.name and sku.tier are required.',
      });
    }
    if (sku.tier === 'Burstable' && ha !== 'Disabled') {
      throw new HttpError(400, {
        code: 'BurstableSkuNotSupportHA',
        message: 'High availability is not supported for the Burstable pricing tier.',
      });
    }
    const existing = servers.get(name);
    if (existing !== undefined) requireReady(existing);
    const login = String(props.administratorLogin ?? existing?.administratorLogin ?? '');
    const password = String(props.administratorLoginPassword ?? existing?.administratorLoginPassword ?? '');
    if (login === '' || password === '') {
      throw new HttpError(400, {
        code: 'AdministratorLoginRequired',
        message: 'administratorLogin and administratorLoginPassword are required to create a server.',
      });
    }
    const server: FakeServer = {
      id: path,
      name,
      location: body.location,
      tags: obj(body.tags) as Record<string, string>,
      sku: { name: sku.name, tier: sku.tier },
      administratorLogin: login,
      administratorLoginPassword: password,
      version: String(props.version ?? '5.7'),
      state: existing === undefined ? 'Starting' : 'Updating',
      provisioningState: 'Accepted',
      storageGb: Number(obj(props.storage).storageSizeGB ?? 20),
      backupRetentionDays: Number(obj(props.backup).backupRetentionDays ?? 7),
      highAvailability: ha,
      ...(props.network === undefined ? {} : { network: obj(props.network) }),
      databases: existing?.databases ?? new Map(),
      firewallRules: existing?.firewallRules ?? new Map(),
    };
    servers.set(name, server);
    const op = startOperation('create-server', server.location, path, async (failed) => {
      if (failed) {
        if (existing === undefined) servers.delete(name);
        else servers.set(name, existing);
        return;
      }
      await inside?.ensureAdmin(login, password);
      server.state = 'Ready';
      server.provisioningState = 'Succeeded';
    });
    server.provisioningState = 'Provisioning';
    reply(res, existing === undefined ? 201 : 200, serverBody(server, fqdnOf(name)), asyncHeaders(op));
  }

  async function patchServer(path: string, server: FakeServer, body: Record<string, unknown>, res: ServerResponse) {
    requireReady(server);
    const props = obj(body.properties);
    const sku = body.sku === undefined ? server.sku : (obj(body.sku) as FakeServer['sku']);
    const storageGb = Number(obj(props.storage).storageSizeGB ?? server.storageGb);
    if (storageGb < server.storageGb) {
      throw new HttpError(400, {
        code: 'StorageSizeCannotBeDecreased',
        message: `Storage size cannot be decreased from ${server.storageGb} GB to ${storageGb} GB.`,
      });
    }
    const ha = String(obj(props.highAvailability).mode ?? server.highAvailability);
    if (sku.tier === 'Burstable' && ha !== 'Disabled') {
      throw new HttpError(400, {
        code: 'BurstableSkuNotSupportHA',
        message: 'High availability is not supported for the Burstable pricing tier.',
      });
    }
    server.state = 'Updating';
    const op = startOperation('update-server', server.location, path, async (failed) => {
      server.state = 'Ready';
      if (failed) return;
      server.sku = sku;
      server.storageGb = storageGb;
      server.backupRetentionDays = Number(obj(props.backup).backupRetentionDays ?? server.backupRetentionDays);
      server.highAvailability = ha;
      if (typeof props.administratorLoginPassword === 'string') {
        server.administratorLoginPassword = props.administratorLoginPassword;
        await inside?.ensureAdmin(server.administratorLogin, server.administratorLoginPassword);
      }
    });
    reply(res, 202, {}, asyncHeaders(op));
  }

  function deleteServer(server: FakeServer, res: ServerResponse): void {
    if (server.state === 'Dropping')
      throw new HttpError(409, { code: 'ServerBusy', message: 'Server is being dropped.' });
    const before = server.state;
    server.state = 'Dropping';
    const op = startOperation('delete-server', server.location, undefined, async (failed) => {
      if (failed) {
        server.state = before;
        return;
      }
      for (const db of server.databases.keys()) await inside?.dropDatabase(db);
      servers.delete(server.name);
    });
    reply(res, 202, undefined, asyncHeaders(op));
  }

  async function child(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    server: FakeServer,
    kind: 'databases' | 'firewallRules',
    name: string | undefined,
  ): Promise<void> {
    const items = kind === 'databases' ? server.databases : server.firewallRules;
    if (name === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed();
      const listed = [...items.entries()].filter(([, v]) => v.ready).map(([n, v]) => childBody(server, kind, n, v));
      const system =
        kind === 'databases'
          ? SYSTEM_DATABASES.map((n) =>
              childBody(server, kind, n, { charset: 'utf8mb3', collation: 'utf8mb3_general_ci' }),
            )
          : [];
      reply(res, 200, { value: [...system, ...listed.map(stripReady)] });
      return;
    }
    if (req.method === 'GET') {
      const item = items.get(name);
      if (item === undefined || !item.ready) {
        throw new HttpError(404, { code: 'ResourceNotFound', message: `The ${kind} '${name}' was not found.` });
      }
      reply(res, 200, stripReady(childBody(server, kind, name, item)));
      return;
    }
    if (req.method === 'PUT') {
      requireReady(server);
      const props = obj((await readJson(req)).properties);
      const finish = async (failed: boolean) => {
        if (failed) {
          items.delete(name);
          return;
        }
        if (kind === 'databases') await inside?.createDatabase(name);
        const item = items.get(name);
        if (item !== undefined) item.ready = true;
      };
      if (kind === 'databases') {
        server.databases.set(name, {
          charset: String(props.charset ?? 'utf8mb4'),
          collation: String(props.collation ?? 'utf8mb4_0900_ai_ci'),
          ready: false,
        });
      } else {
        const start = String(props.startIpAddress ?? '');
        const end = String(props.endIpAddress ?? '');
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(start) || !/^\d+\.\d+\.\d+\.\d+$/.test(end)) {
          throw new HttpError(400, {
            code: 'InvalidParameterValue',
            message: 'startIpAddress and endIpAddress must be IPv4.',
          });
        }
        server.firewallRules.set(name, { startIpAddress: start, endIpAddress: end, ready: false });
      }
      const op = startOperation(
        kind === 'databases' ? 'create-database' : 'create-firewall-rule',
        server.location,
        path,
        finish,
      );
      reply(res, 202, {}, asyncHeaders(op));
      return;
    }
    if (req.method === 'DELETE') {
      if (!items.has(name)) {
        reply(res, 204, undefined);
        return;
      }
      const op = startOperation('delete-database', server.location, undefined, async (failed) => {
        if (failed) return;
        items.delete(name);
        if (kind === 'databases') await inside?.dropDatabase(name);
      });
      reply(res, 202, undefined, asyncHeaders(op));
      return;
    }
    throw methodNotAllowed();
  }

  function listServers(req: IncomingMessage, res: ServerResponse, rg: string): void {
    if (req.method !== 'GET') throw methodNotAllowed();
    const inGroup = [...servers.values()].filter((s) => SERVER_PATH.exec(s.id)?.[2]?.toLowerCase() === rg);
    reply(res, 200, { value: inGroup.map((s) => serverBody(s, fqdnOf(s.name))) });
  }

  async function operationStatus(res: ServerResponse, which: string, id: string): Promise<void> {
    const op = operations.get(id);
    if (op === undefined)
      throw new HttpError(404, { code: 'OperationNotFound', message: `Operation ${id} not found.` });
    await advance(op);
    if (which.toLowerCase() === 'azureasyncoperation') {
      reply(res, 200, {
        name: op.id,
        status: op.status,
        startTime: op.startTime,
        ...(op.status === 'InProgress' ? {} : { endTime: new Date().toISOString() }),
        ...(op.error === undefined ? {} : { error: op.error }),
      });
      return;
    }
    if (op.status === 'InProgress') {
      reply(res, 202, undefined, asyncHeaders(op));
      return;
    }
    if (op.status === 'Failed') throw new HttpError(400, op.error ?? { code: 'Failed', message: 'Operation failed.' });
    const match = op.resultPath === undefined ? null : SERVER_PATH.exec(op.resultPath);
    const server = match?.[3] === undefined ? undefined : servers.get(match[3]);
    reply(
      res,
      server === undefined ? 204 : 200,
      server === undefined ? undefined : serverBody(server, fqdnOf(server.name)),
    );
  }

  function authorized(token: string | undefined): boolean {
    if (token === undefined || token === '') return false;
    return (
      token === options.accessToken || token === options.tokenWithoutRole || options.verifyToken?.(token, base) === true
    );
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    if (!authorized(token)) {
      throw new HttpError(401, {
        code: 'InvalidAuthenticationToken',
        message: 'The access token is invalid or missing from the Authorization header.',
      });
    }
    if (token === options.tokenWithoutRole) {
      const action = ACTIONS[req.method ?? ''] ?? 'write';
      throw new HttpError(403, {
        code: 'AuthorizationFailed',
        message: `The client '00000000-aaaa-bbbb-cccc-000000000001' with object id '00000000-aaaa-bbbb-cccc-000000000001' does not have authorization to perform action 'Microsoft.DBforMySQL/flexibleServers/${action}' over scope '${url.pathname}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      });
    }
    if (url.searchParams.get('api-version') !== API_VERSION) {
      throw new HttpError(400, {
        code: 'NoRegisteredProviderFound',
        message: `No registered resource provider found for API version '${url.searchParams.get('api-version')}'.`,
      });
    }
    if (throttled > 0) {
      throttled -= 1;
      throw new HttpError(429, {
        code: 'TooManyRequests',
        message: 'The request is being throttled as the limit has been reached for operation type - Write.',
      });
    }
    const operation = OPERATION_PATH.exec(url.pathname);
    if (operation !== null) return operationStatus(res, operation[3] ?? '', operation[4] ?? '');
    const match = SERVER_PATH.exec(url.pathname);
    if (match === null)
      throw new HttpError(404, { code: 'InvalidResourceType', message: `No route for ${url.pathname}.` });
    const [, subscription, resourceGroup = '', name, kind, childName] = match;
    if (subscription !== options.subscriptionId) {
      throw new HttpError(404, {
        code: 'SubscriptionNotFound',
        message: `The subscription '${subscription}' could not be found.`,
      });
    }
    const rg = resourceGroup.toLowerCase();
    if (options.resourceGroups !== undefined && !options.resourceGroups.some((known) => known.toLowerCase() === rg)) {
      throw new HttpError(404, {
        code: 'ResourceGroupNotFound',
        message: `Resource group '${resourceGroup}' could not be found.`,
      });
    }
    if (name === undefined) return listServers(req, res, rg);
    const path = url.pathname;
    if (kind !== undefined)
      return child(req, res, path, serverOf(name), kind as 'databases' | 'firewallRules', childName);
    switch (req.method) {
      case 'PUT':
        return putServer(path, name, await readJson(req), res);
      case 'GET':
        return reply(res, 200, serverBody(serverOf(name), fqdnOf(name)));
      case 'PATCH':
        return patchServer(path, serverOf(name), await readJson(req), res);
      case 'DELETE': {
        const server = servers.get(name);
        if (server === undefined) return reply(res, 204, undefined);
        return deleteServer(server, res);
      }
      default:
        throw methodNotAllowed();
    }
  }

  const http: HttpsServer = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://fake');
    res.on('finish', () => requests.push({ method: req.method ?? '', path: url.pathname, status: res.statusCode }));
    route(req, res, url).catch((error: unknown) => {
      if (error instanceof HttpError) {
        reply(
          res,
          error.status,
          { error: error.error },
          error.status === 429 ? { 'Retry-After': String(throttleSeconds) } : {},
        );
      } else {
        reply(res, 500, { error: { code: 'InternalServerError', message: (error as Error).message } });
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(http.address() as AddressInfo).port}`;

  return {
    url: base,
    servers,
    requests,
    failNext(kind, error) {
      faults.set(kind, [...(faults.get(kind) ?? []), error]);
    },
    throttleNext(count, retryAfterSeconds = 1) {
      throttled = count;
      throttleSeconds = retryAfterSeconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function stripReady(body: Record<string, unknown>): Record<string, unknown> {
  const { ready: _ready, ...properties } = obj(body.properties);
  return { ...body, properties };
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'x-ms-request-id': randomUUID(),
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
  });
  res.end(payload);
}

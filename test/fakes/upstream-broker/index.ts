import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CATALOG } from './default-catalog.ts';
import { type Failures, type RouteName, UPSTREAM_DEFAULT_AUTH, type UpstreamBrokerOptions } from './options.ts';
import { OsbSemantics, type Reply } from './osb-semantics.ts';
import { matchRoute, ROUTE_NAMES } from './routes.ts';
import { type JsonObject, UpstreamState } from './state.ts';

export { DEFAULT_CATALOG } from './default-catalog.ts';
export type { Failures, InjectedResponse, RouteName, UpstreamBrokerOptions } from './options.ts';
export type { BindingRecord, InstanceRecord, Operation, UpstreamState } from './state.ts';

export interface RecordedRequest {
  route: RouteName;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface UpstreamBroker {
  url: string;
  port: number;
  /** Requests per route (each route name is one method + path), counted before auth and failures. */
  readonly calls: Record<RouteName, number>;
  /** Instances and bindings, with due async operations finished. */
  readonly state: UpstreamState;
  /** The last 500 requests, oldest first. */
  readonly requests: RecordedRequest[];
  setFailure(failures: Failures): void;
  resetCalls(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_RECORDED = 500;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestIdentity: string | undefined,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(requestIdentity === undefined ? {} : { 'x-broker-api-request-identity': requestIdentity }),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const zeroCalls = (): Record<RouteName, number> =>
  Object.fromEntries(ROUTE_NAMES.map((name) => [name, 0])) as Record<RouteName, number>;

/** Starts the reference upstream OSB broker on 127.0.0.1. */
export async function startUpstreamBroker(options: UpstreamBrokerOptions = {}): Promise<UpstreamBroker> {
  const username = options.username ?? UPSTREAM_DEFAULT_AUTH.username;
  const password = options.password ?? UPSTREAM_DEFAULT_AUTH.password;
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const bearer = options.token === undefined ? undefined : `Bearer ${options.token}`;
  let failures: Failures = options.failures ?? {};
  const calls = zeroCalls();
  const requests: RecordedRequest[] = [];
  const state = new UpstreamState();
  const semantics = new OsbSemantics(
    {
      catalog: options.catalog ?? DEFAULT_CATALOG,
      mode: options.mode ?? 'async',
      asyncMs: options.asyncMs ?? 200,
      credentials: options.credentials ?? {},
      takeProvisionFailure() {
        const description = failures.nextProvisionFails;
        if (description !== undefined) {
          const { nextProvisionFails: _, ...rest } = failures;
          failures = rest;
        }
        return description;
      },
    },
    state,
  );

  const setFailure = (next: Failures) => {
    failures = next;
  };

  /** The injected answer for this route, if any (counting down `times`). */
  const injected = (route: RouteName): (Reply & { headers: Record<string, string> }) | undefined => {
    const injection = failures.respond?.[route];
    if (injection === undefined) return undefined;
    if (injection.times !== undefined) {
      if (injection.times <= 1) {
        const { [route]: _, ...others } = failures.respond ?? {};
        failures = { ...failures, respond: others };
      } else injection.times -= 1;
    }
    return {
      status: injection.status,
      body: injection.body ?? { description: 'injected failure' },
      headers: injection.headers ?? {},
    };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const method = req.method ?? 'GET';
    const identity = req.headers['x-broker-api-request-identity'];
    const requestIdentity = typeof identity === 'string' ? identity : undefined;
    const raw = await readBody(req);

    if (url.pathname === '/__calls' && method === 'GET') return send(res, 200, calls, undefined);
    if (url.pathname === '/__failures' && method === 'PUT') {
      setFailure(JSON.parse(raw === '' ? '{}' : raw) as Failures);
      return send(res, 200, {}, undefined);
    }
    const match = matchRoute(method, url.pathname);
    if (match === undefined) return send(res, 404, { description: `no route ${method} ${url.pathname}` }, undefined);
    if (match === 'bad-id') return send(res, 400, { description: 'malformed id in the path' }, requestIdentity);

    calls[match.route] += 1;
    let body: unknown = raw;
    let malformed = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        malformed = true;
      }
    }
    requests.push({
      route: match.route,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });
    if (requests.length > MAX_RECORDED) requests.shift();

    const delay = (options.delayMs ?? 0) + (failures.delayMs ?? 0);
    if (delay > 0) await sleep(delay);
    if (failures.hang?.includes(match.route)) return; // never answered; stop() closes the socket

    const version = req.headers['x-broker-api-version'];
    if (typeof version !== 'string' || !/^2\.\d+$/.test(version)) {
      return send(
        res,
        412,
        { description: `X-Broker-API-Version 2.x is required, got ${String(version)}` },
        requestIdentity,
      );
    }
    const authorization = req.headers.authorization ?? '';
    if (!sameSecret(authorization, basic) && (bearer === undefined || !sameSecret(authorization, bearer))) {
      return send(res, 401, { description: 'unauthorized' }, requestIdentity);
    }
    const injection = injected(match.route);
    if (injection !== undefined) {
      return send(res, injection.status, injection.body, requestIdentity, injection.headers);
    }
    if (malformed) return send(res, 400, { description: 'the body is not valid JSON' }, requestIdentity);
    const bodyObject = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as JsonObject) : {};
    const answer = semantics.handle({ ...match, query: url.searchParams, body: bodyObject });
    send(res, answer.status, answer.body, requestIdentity);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { description: `upstream fake failed: ${(error as Error).message}` }, undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    get state() {
      state.settle();
      return state;
    },
    requests,
    setFailure,
    resetCalls() {
      Object.assign(calls, zeroCalls());
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

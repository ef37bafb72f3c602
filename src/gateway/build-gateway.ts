import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Broker } from '../broker/broker.ts';
import type { AppLogger } from '../observability/logger.ts';
import { errors } from '../plugin-api/index.ts';
import { sendError } from './error-reply.ts';
import { apiVersionRefusal } from './hooks/api-version.ts';
import { auditEntry } from './hooks/audit.ts';
import { type AuthSettings, authRefusal } from './hooks/auth.ts';
import { refuseFirst } from './hooks/refusal.ts';
import { slashInIdsRefusal } from './hooks/resource-ids.ts';
import { bindingRoutes } from './routes/binding-routes.ts';
import { catalogRoute } from './routes/catalog-route.ts';
import { instanceRoutes } from './routes/instance-routes.ts';
import { LazyRequestLogger } from './lazy-request-logger.ts';
import { opsRoutes } from './routes/ops-routes.ts';

export interface GatewayOptions {
  auth: AuthSettings;
  bodyLimit: number;
  logger: AppLogger;
}

const REQUEST_IDENTITY = 'x-broker-api-request-identity';
/** Generated request ids only correlate log lines: a per-process random prefix and a counter are enough. */
const REQUEST_ID_PREFIX = randomBytes(6).toString('base64url');
let requestCounter = 0;
/** Deeper JSON is no real OSB request, and recursive work on it (schemas, hashing) could exhaust the stack. */
const MAX_BODY_DEPTH = 64;

/** Depth of a parsed JSON value, walked with an explicit stack (the input may be arbitrarily deep). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_BODY_DEPTH) return deepest;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** The OSB HTTP surface; returns an app that is not listening yet (tests use inject()). */
export function buildGateway(broker: Broker, options: GatewayOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    // Our own onResponse line replaces Fastify's two per request (and logs no headers).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestIdentity' }),
    childLoggerFactory: (logger, bindings, childOptions) =>
      new LazyRequestLogger(logger as AppLogger, bindings, childOptions),
    bodyLimit: options.bodyLimit,
    return503OnClosing: true,
    // Router-level rejections (over-long path segment, malformed %-escape) get the OSB error body too.
    frameworkErrors: (error, request, reply) => sendError(reply, request, error),
    genReqId: (req) => {
      const given = req.headers[REQUEST_IDENTITY];
      return typeof given === 'string' && given !== '' && given.length <= 200
        ? given
        : `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`;
    },
  }) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  // Every body is read as JSON whatever its content type; a malformed one is a 400 with a description.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      done(errors.badRequest(`request body is not valid JSON: ${(error as Error).message}`), undefined);
      return;
    }
    if (nestingDepth(parsed) > MAX_BODY_DEPTH) {
      done(errors.badRequest(`request body is nested deeper than ${MAX_BODY_DEPTH} levels`), undefined);
      return;
    }
    done(null, parsed);
  });

  // While shutting down, answers close their connection, so keep-alive clients do not hold the process open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // The per-request hooks are callback style: no promise per request on the polling path.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onRequest', (request, reply, done) => {
    const given = request.headers[REQUEST_IDENTITY];
    if (typeof given === 'string' && given !== '') reply.header(REQUEST_IDENTITY, given);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    // routeOptions is a getter that builds a fresh object: read it once per request.
    const route = request.routeOptions.url ?? 'unknown';
    const { method } = request;
    const status = reply.statusCode;
    broker.deps.metrics.httpRequests.count(route, method, status);
    // Platforms poll (Korifi every few ms): successful reads are debug lines; failures and mutations stay info.
    const level = method === 'GET' && status < 400 ? 'debug' : 'info';
    if (!options.logger.isLevelEnabled(level)) return done();
    const fields = { method, route, status, ms: Math.round(reply.elapsedTime) };
    const audit = auditEntry(request, reply, route);
    if (audit !== undefined) request.log.info({ ...fields, audit: audit.audit }, audit.message);
    else request.log[level](fields, 'request finished');
    done();
  });
  app.setErrorHandler((error, request, reply) => sendError(reply, request, error));
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send({ error: 'NotFound', description: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  opsRoutes(app, broker);
  const checks = refuseFirst([apiVersionRefusal, authRefusal(options.auth), slashInIdsRefusal]);
  app.register(async (osb) => {
    // Version first, then auth, both before any body is parsed (probes send no body).
    osb.addHook('onRequest', checks);
    catalogRoute(osb, broker.catalog);
    instanceRoutes(osb, broker);
    bindingRoutes(osb, broker);
  });
  return app;
}

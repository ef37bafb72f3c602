import type { FastifyInstance } from 'fastify';
import type { Broker } from '../../broker/broker.ts';

/** Health, readiness and metrics: outside OSB auth and version checks, for probes and scrapers. */
export function opsRoutes(app: FastifyInstance, broker: Broker): void {
  const { store, backends, catalog, metrics } = broker.deps;
  app.get('/healthz', async (_request, reply) => reply.type('application/json').send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    let storeStatus = 'ok';
    try {
      await store.ping();
    } catch (error) {
      storeStatus = `unreachable: ${(error as Error).message}`;
    }
    const backendStatus = Object.fromEntries(
      [...backends.values()].map((b) => [
        b.name,
        { kind: b.kind, breaker: b.state, catalog: catalog.status(b.name).source },
      ]),
    );
    // Backend outages do not make the broker unready: other backends still serve, and the catalog stays up.
    return reply
      .code(storeStatus === 'ok' ? 200 : 503)
      .type('application/json')
      .send({ status: storeStatus === 'ok' ? 'ready' : 'not ready', store: storeStatus, backends: backendStatus });
  });

  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}

import type { FastifyInstance } from 'fastify';
import type { CatalogService } from '../../broker/catalog/catalog-service.ts';

/** Serves the pre-encoded merged catalog: no serialization per request; ETag for cheap re-reads. */
export function catalogRoute(app: FastifyInstance, catalog: CatalogService): void {
  app.get('/v2/catalog', async (request, reply) => {
    const { body, etag } = catalog.encoded;
    reply.header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json').send(body);
  });
}

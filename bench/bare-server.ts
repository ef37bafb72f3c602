/**
 * The bare references, as a child process like the broker:
 *   node --import tsx bench/bare-server.ts --port N --catalog FILE        GET /v2/catalog → FILE's bytes
 *   node --import tsx bench/bare-server.ts --port N --redis URL --key K   GET /last_operation → one HMGET of K
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    catalog: { type: 'string' },
    redis: { type: 'string' },
    key: { type: 'string' },
  },
});
const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));

if (values.catalog !== undefined) {
  const body = readFileSync(values.catalog);
  app.get('/v2/catalog', async (_request, reply) => reply.type('application/json').send(body));
}
const redisUrl = values.redis;
const key = values.key;
if (redisUrl !== undefined && key !== undefined) {
  const redis = new Redis(redisUrl);
  app.addHook('onClose', async () => {
    await redis.quit();
  });
  app.get('/last_operation', async (_request, reply) => {
    const [version, value] = await redis.hmget(key, 'version', 'value');
    if (value === null || value === undefined) return reply.code(404).send({ description: 'absent' });
    return reply.type('application/json').send({ state: 'succeeded', version, bytes: value.length });
  });
}

await app.listen({ host: '127.0.0.1', port: Number(values.port ?? 0) });
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});

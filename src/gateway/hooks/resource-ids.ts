import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * Instance and binding ids become store keys joined by `/` (`<instance>/<binding>`); the router decodes `%2F`,
 * so an id holding `/` could name another resource's record. Platforms send GUIDs; anything with `/` is refused.
 */
export function refuseSlashInIds(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const params = request.params as Record<string, string | undefined>;
  for (const name of ['instance_id', 'binding_id']) {
    if (params[name]?.includes('/')) {
      reply
        .code(400)
        .type('application/json')
        .send({ error: 'BadRequest', description: `${name} must not contain "/" (here an encoded %2F)` });
      return;
    }
  }
  done();
}

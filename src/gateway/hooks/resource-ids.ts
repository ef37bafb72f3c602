import type { FastifyRequest } from 'fastify';
import type { Refusal } from './refusal.ts';

/**
 * Instance and binding ids become store keys joined by `/` (`<instance>/<binding>`); the router decodes `%2F`,
 * so an id holding `/` could name another resource's record. Platforms send GUIDs; anything with `/` is refused.
 */
export function slashInIdsRefusal(request: FastifyRequest): Refusal | undefined {
  const params = request.params as Record<string, string | undefined>;
  for (const name of ['instance_id', 'binding_id']) {
    if (params[name]?.includes('/')) {
      return { status: 400, error: 'BadRequest', description: `${name} must not contain "/" (here an encoded %2F)` };
    }
  }
  return undefined;
}

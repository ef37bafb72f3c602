import type { FastifyReply, FastifyRequest } from 'fastify';
import { callIdentity } from './identity.ts';

const MUTATIONS = new Set(['PUT', 'PATCH', 'DELETE']);

const ACTIONS: Record<string, Record<string, string>> = {
  '/v2/service_instances/:instance_id': { PUT: 'provision', PATCH: 'update', DELETE: 'deprovision' },
  '/v2/service_instances/:instance_id/service_bindings/:binding_id': { PUT: 'bind', DELETE: 'unbind' },
};

export interface AuditEntry {
  audit: Record<string, unknown>;
  message: string;
}

/**
 * A mutation's audit record: who (originating identity), what, which backend, and the result. The gateway writes
 * it as the request's only line, so a mutation costs one log write.
 */
export function auditEntry(request: FastifyRequest, reply: FastifyReply, route: string): AuditEntry | undefined {
  if (!MUTATIONS.has(request.method)) return undefined;
  const action = ACTIONS[route]?.[request.method];
  if (action === undefined) return undefined;
  const params = request.params as { instance_id?: string; binding_id?: string };
  const body = (request.body ?? {}) as { service_id?: unknown };
  const query = request.query as { service_id?: unknown };
  const serviceId =
    typeof body.service_id === 'string'
      ? body.service_id
      : typeof query.service_id === 'string'
        ? query.service_id
        : '';
  const identity = callIdentity(request).originatingIdentity;
  return {
    audit: {
      action,
      instance: params.instance_id,
      binding: params.binding_id,
      backend: serviceId.includes('.') ? serviceId.slice(0, serviceId.indexOf('.')) : undefined,
      who: identity === undefined ? 'unknown' : { platform: identity.platform, ...identity.value },
      status: reply.statusCode,
      result: reply.statusCode < 300 ? 'accepted' : 'refused',
    },
    message: `audit: ${action} ${params.instance_id ?? ''}${params.binding_id === undefined ? '' : `/${params.binding_id}`} → ${reply.statusCode}`,
  };
}

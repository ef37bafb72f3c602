import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Broker } from '../../broker/broker.ts';
import type { BrokerResult } from '../../broker/broker-deps.ts';
import { callIdentity } from '../hooks/identity.ts';
import { acceptsIncomplete, bodyObject, objectField, queryString, stringField } from '../request-fields.ts';

type Params = { instance_id: string };

export const sendResult = (reply: FastifyReply, result: BrokerResult) =>
  reply.code(result.status).type('application/json').send(result.body);

export const meta = (request: FastifyRequest) => ({
  identity: callIdentity(request),
  acceptsIncomplete: acceptsIncomplete(request),
});

export function instanceRoutes(app: FastifyInstance, broker: Broker): void {
  const { instances } = broker;
  app.put<{ Params: Params }>('/v2/service_instances/:instance_id', async (request, reply) => {
    const body = bodyObject(request);
    const result = await instances.provision(
      {
        instanceId: request.params.instance_id,
        ...optional({
          serviceId: stringField(body, 'service_id'),
          planId: stringField(body, 'plan_id'),
          organizationGuid: stringField(body, 'organization_guid'),
          spaceGuid: stringField(body, 'space_guid'),
          parameters: objectField(body, 'parameters'),
          context: objectField(body, 'context'),
          maintenanceInfo: objectField(body, 'maintenance_info'),
        }),
      },
      meta(request),
    );
    return sendResult(reply, result);
  });

  app.patch<{ Params: Params }>('/v2/service_instances/:instance_id', async (request, reply) => {
    const body = bodyObject(request);
    const result = await instances.update(
      {
        instanceId: request.params.instance_id,
        ...optional({
          serviceId: stringField(body, 'service_id'),
          planId: stringField(body, 'plan_id'),
          parameters: objectField(body, 'parameters'),
          context: objectField(body, 'context'),
          maintenanceInfo: objectField(body, 'maintenance_info'),
        }),
      },
      meta(request),
    );
    return sendResult(reply, result);
  });

  app.delete<{ Params: Params }>('/v2/service_instances/:instance_id', async (request, reply) => {
    const result = await instances.deprovision(
      {
        id: request.params.instance_id,
        ...optional({ serviceId: queryString(request, 'service_id'), planId: queryString(request, 'plan_id') }),
      },
      meta(request),
    );
    return sendResult(reply, result);
  });

  app.get<{ Params: Params }>('/v2/service_instances/:instance_id', async (request, reply) =>
    sendResult(reply, await instances.fetch(request.params.instance_id)),
  );

  app.get<{ Params: Params }>('/v2/service_instances/:instance_id/last_operation', async (request, reply) =>
    sendResult(reply, await instances.lastOperation(request.params.instance_id, queryString(request, 'operation'))),
  );
}

/** Drops undefined values (exactOptionalPropertyTypes: absent, not undefined). */
export function optional<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

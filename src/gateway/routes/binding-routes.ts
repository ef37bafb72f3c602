import type { FastifyInstance } from 'fastify';
import type { Broker } from '../../broker/broker.ts';
import { bodyObject, objectField, queryString, stringField } from '../request-fields.ts';
import { meta, optional, sendResult } from './instance-routes.ts';

type Params = { instance_id: string; binding_id: string };
const PATH = '/v2/service_instances/:instance_id/service_bindings/:binding_id';

export function bindingRoutes(app: FastifyInstance, broker: Broker): void {
  const { bindings } = broker;
  app.put<{ Params: Params }>(PATH, async (request, reply) => {
    const body = bodyObject(request);
    const result = await bindings.bind(
      {
        instanceId: request.params.instance_id,
        bindingId: request.params.binding_id,
        ...optional({
          serviceId: stringField(body, 'service_id'),
          planId: stringField(body, 'plan_id'),
          appGuid: stringField(body, 'app_guid'),
          bindResource: objectField(body, 'bind_resource'),
          parameters: objectField(body, 'parameters'),
          context: objectField(body, 'context'),
        }),
      },
      meta(request),
    );
    return sendResult(reply, result);
  });

  app.delete<{ Params: Params }>(PATH, async (request, reply) => {
    const result = await bindings.unbind(
      {
        instanceId: request.params.instance_id,
        bindingId: request.params.binding_id,
        ...optional({ serviceId: queryString(request, 'service_id'), planId: queryString(request, 'plan_id') }),
      },
      meta(request),
    );
    return sendResult(reply, result);
  });

  app.get<{ Params: Params }>(PATH, async (request, reply) =>
    sendResult(reply, await bindings.fetch(request.params.instance_id, request.params.binding_id)),
  );

  app.get<{ Params: Params }>(`${PATH}/last_operation`, async (request, reply) =>
    sendResult(
      reply,
      await bindings.lastOperation(
        request.params.instance_id,
        request.params.binding_id,
        queryString(request, 'operation'),
      ),
    ),
  );
}

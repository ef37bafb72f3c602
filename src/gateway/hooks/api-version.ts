import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * OSB-RULES 1: any 2.x is accepted; missing, unparsable or another major is 412 before anything else.
 * Callback style (like the other per-request hooks): no promise per request on the polling path.
 */
export function checkApiVersion(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const header = request.headers['x-broker-api-version'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*2\.\d+\s*$/.test(value)) {
    const got =
      value === undefined || value === ''
        ? 'no X-Broker-API-Version header'
        : `X-Broker-API-Version "${value.slice(0, 40)}"`;
    reply
      .code(412)
      .type('application/json')
      .send({ error: 'PreconditionFailed', description: `${got}; this broker speaks OSB API 2.x (e.g. 2.17)` });
    return;
  }
  done();
}

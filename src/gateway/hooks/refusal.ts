import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** An OSB error answer a check gives before any route runs. */
export interface Refusal {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

export type RequestCheck = (request: FastifyRequest) => Refusal | undefined;

/**
 * The checks as one onRequest hook, in order, the first refusal answering: one hook instead of one per check
 * (each costs a hook-runner step on every poll), callback style so no promise is made per request.
 */
export function refuseFirst(checks: RequestCheck[]) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    for (const check of checks) {
      const refusal = check(request);
      if (refusal === undefined) continue;
      if (refusal.headers !== undefined) reply.headers(refusal.headers);
      reply
        .code(refusal.status)
        .type('application/json')
        .send({ error: refusal.error, description: refusal.description });
      return;
    }
    done();
  };
}

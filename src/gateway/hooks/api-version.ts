import type { FastifyRequest } from 'fastify';
import type { Refusal } from './refusal.ts';

/** OSB-RULES 1: any 2.x is accepted; missing, unparsable or another major is 412 before anything else. */
export function apiVersionRefusal(request: FastifyRequest): Refusal | undefined {
  const header = request.headers['x-broker-api-version'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && /^\s*2\.\d+\s*$/.test(value)) return undefined;
  const got =
    value === undefined || value === ''
      ? 'no X-Broker-API-Version header'
      : `X-Broker-API-Version "${value.slice(0, 40)}"`;
  return {
    status: 412,
    error: 'PreconditionFailed',
    description: `${got}; this broker speaks OSB API 2.x (e.g. 2.17)`,
  };
}

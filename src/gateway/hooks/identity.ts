import type { FastifyRequest } from 'fastify';
import type { JsonObject, OriginatingIdentity } from '../../plugin-api/index.ts';
import type { CallIdentity } from '../../registry/guarded-backend.ts';

/** `X-Broker-API-Originating-Identity: <platform> <base64 JSON>`; undecodable values are ignored, not fatal. */
export function parseOriginatingIdentity(header: string | undefined): OriginatingIdentity | undefined {
  if (header === undefined || header === '') return undefined;
  const [platform, encoded] = header.trim().split(/\s+/, 2);
  if (platform === undefined || encoded === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return { platform, value: value as JsonObject };
  } catch {
    return undefined;
  }
}

export function callIdentity(request: FastifyRequest): CallIdentity {
  const raw = request.headers['x-broker-api-originating-identity'];
  const originating = parseOriginatingIdentity(Array.isArray(raw) ? raw[0] : raw);
  const requestIdentity = request.headers['x-broker-api-request-identity'];
  return {
    ...(typeof requestIdentity === 'string' && requestIdentity !== '' ? { requestIdentity } : {}),
    ...(originating === undefined ? {} : { originatingIdentity: originating }),
  };
}

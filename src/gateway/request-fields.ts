import type { FastifyRequest } from 'fastify';
import { errors, type JsonObject } from '../plugin-api/index.ts';

/** The JSON body as an object; a PUT/PATCH without one is 400. */
export function bodyObject(request: FastifyRequest): JsonObject {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('request body must be a JSON object');
  return body as JsonObject;
}

export function stringField(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw errors.badRequest(`${name} must be a string`);
  return value === '' ? undefined : value;
}

/** Objects, with `null` and `{}`-like "not given" left to the caller. */
export function objectField(body: JsonObject, name: string): JsonObject | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw errors.badRequest(`${name} must be a JSON object`);
  return value as JsonObject;
}

export function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

export const acceptsIncomplete = (request: FastifyRequest): boolean =>
  queryString(request, 'accepts_incomplete') === 'true';

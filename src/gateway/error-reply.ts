import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_TABLE, isBackendError } from '../plugin-api/index.ts';
import { KeyRingError } from '../state/key-ring.ts';
import { StoreConflictError, StoreUnavailableError } from '../state/store.ts';

export interface OsbErrorBody {
  error?: string;
  description: string;
}

const MAX_DESCRIPTION = 4000;

/** Strips control characters and bounds the length; the backend's own words are kept, not replaced. */
export function sanitizeDescription(text: string): string {
  const clean = [...text]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      return (code < 32 && ch !== '\n' && ch !== '\t') || code === 127 ? ' ' : ch;
    })
    .join('')
    .trim();
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION)}…` : clean || 'unknown error';
}

interface Mapped {
  status: number;
  body: OsbErrorBody;
  retryAfterSeconds?: number;
}

/** Every failure becomes an OSB error body with the right status; nothing escapes as a bare 500. */
export function mapError(error: unknown, requestId: string): Mapped {
  if (isBackendError(error)) {
    const entry = ERROR_TABLE[error.code];
    const body: OsbErrorBody = { description: sanitizeDescription(error.message) };
    if (entry.osbError !== undefined) body.error = entry.osbError;
    const retry = entry.status === 503 ? (error.retryAfterSeconds ?? 5) : undefined;
    return retry === undefined
      ? { status: entry.status, body }
      : { status: entry.status, body, retryAfterSeconds: retry };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      body: {
        error: 'ServiceUnavailable',
        description: `the broker's state store is unreachable: ${sanitizeDescription(error.message)}`,
      },
      retryAfterSeconds: 2,
    };
  }
  if (error instanceof StoreConflictError) {
    return {
      status: 422,
      body: { error: 'ConcurrencyError', description: 'another request changed this resource at the same time; retry' },
    };
  }
  if (error instanceof KeyRingError) {
    return { status: 500, body: { error: 'EncryptionError', description: sanitizeDescription(error.message) } };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const description =
      fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'request body is larger than the configured limit (limits.bodyBytes)'
        : sanitizeDescription(fastifyError.message ?? 'bad request');
    return { status: fastifyError.statusCode, body: { error: 'BadRequest', description } };
  }
  return {
    status: 500,
    body: { error: 'InternalError', description: `internal broker error (request ${requestId}); see the broker log` },
  };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: unknown): FastifyReply {
  const mapped = mapError(error, request.id);
  if (mapped.status >= 500) request.log.error({ err: error }, mapped.body.description);
  else request.log.info({ status: mapped.status, description: mapped.body.description }, 'request refused');
  if (mapped.retryAfterSeconds !== undefined) reply.header('retry-after', String(mapped.retryAfterSeconds));
  return reply.code(mapped.status).type('application/json').send(mapped.body);
}

import { type BackendError, errors, type JsonObject } from '../../plugin-api/index.ts';

/** The upstream's own words: its `description`, else its `error` code, else the status line. */
export function upstreamDescription(status: number, body: JsonObject | string): string {
  if (typeof body === 'string') return body.trim() === '' ? `HTTP ${status}` : body.trim().slice(0, 500);
  if (typeof body.description === 'string' && body.description !== '') return body.description;
  if (typeof body.error === 'string' && body.error !== '') return body.error;
  return `HTTP ${status}`;
}

const UNPROCESSABLE: Record<string, (message: string) => BackendError> = {
  AsyncRequired: errors.asyncRequired,
  ConcurrencyError: errors.concurrency,
  MaintenanceInfoConflict: errors.maintenanceInfoConflict,
  RequiresApp: errors.requiresApp,
};

export interface ErrorContext {
  /** What was asked, e.g. `provision of instance 42`. */
  what: string;
  /** The request carried parameters, so a 400 most likely means they were rejected. */
  hadParameters: boolean;
  retryAfterSeconds: number | undefined;
}

/** Maps an upstream error answer onto the plugin error table, keeping the upstream's description. */
export function upstreamError(status: number, body: JsonObject | string, context: ErrorContext): BackendError {
  const description = upstreamDescription(status, body);
  const message = `upstream broker answered ${status} to ${context.what}: ${description}`;
  const retry = context.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: context.retryAfterSeconds };
  const code = typeof body === 'string' ? undefined : body.error;
  if (status === 400) return context.hadParameters ? errors.invalidParameters(message) : errors.badRequest(message);
  // The upstream refusing omnibroker itself is a configuration fault, not the platform user's.
  if (status === 401 || status === 403 || status === 412) return errors.internal(message);
  if (status === 404) return errors.notFound(message);
  if (status === 409) return errors.conflict(message);
  if (status === 410) return errors.gone(message);
  if (status === 422)
    return (typeof code === 'string' ? UNPROCESSABLE[code] : undefined)?.(message) ?? errors.badRequest(message);
  if (status === 429 || status === 503) return errors.unavailable(message, retry);
  if (status === 504) return errors.timeout(message);
  if (status >= 500) return errors.internal(message);
  return errors.badRequest(message);
}

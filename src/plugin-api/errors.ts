/**
 * The one error table of the plugin API. Backends throw `BackendError`s; the broker maps them to OSB
 * answers at the edge. `userSide` errors are the caller's fault and never trip a circuit breaker.
 */
export const ERROR_TABLE = {
  BadRequest: { status: 400, osbError: undefined, userSide: true },
  InvalidParameters: { status: 400, osbError: undefined, userSide: true },
  NotFound: { status: 404, osbError: undefined, userSide: true },
  Conflict: { status: 409, osbError: undefined, userSide: true },
  Gone: { status: 410, osbError: undefined, userSide: true },
  AsyncRequired: { status: 422, osbError: 'AsyncRequired', userSide: true },
  Concurrency: { status: 422, osbError: 'ConcurrencyError', userSide: true },
  MaintenanceInfoConflict: { status: 422, osbError: 'MaintenanceInfoConflict', userSide: true },
  RequiresApp: { status: 422, osbError: 'RequiresApp', userSide: true },
  Unavailable: { status: 503, osbError: 'ServiceUnavailable', userSide: false },
  Timeout: { status: 504, osbError: 'BackendTimeout', userSide: false },
  Internal: { status: 502, osbError: 'BackendError', userSide: false },
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly code: ErrorCode;
  /** Seconds a client should wait before retrying (503/429-like conditions). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get userSide(): boolean {
    return ERROR_TABLE[this.code].userSide;
  }
}

export function isBackendError(error: unknown): error is BackendError {
  return error instanceof BackendError || (error instanceof Error && error.name === 'BackendError' && 'code' in error);
}

type Make = (message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) => BackendError;

function maker(code: ErrorCode): Make {
  return (message, options) => new BackendError(code, message, options);
}

export const errors = {
  badRequest: maker('BadRequest'),
  invalidParameters: maker('InvalidParameters'),
  notFound: maker('NotFound'),
  conflict: maker('Conflict'),
  gone: maker('Gone'),
  asyncRequired: maker('AsyncRequired'),
  concurrency: maker('Concurrency'),
  maintenanceInfoConflict: maker('MaintenanceInfoConflict'),
  requiresApp: maker('RequiresApp'),
  unavailable: maker('Unavailable'),
  timeout: maker('Timeout'),
  internal: maker('Internal'),
};

import { errors, isBackendError } from '../../plugin-api/index.ts';

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);

interface AwsErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  code?: string;
}

export function isThrottling(error: unknown): boolean {
  const e = error as AwsErrorShape;
  return THROTTLING_CODES.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
}

/** Throttling, 5xx and connection errors are worth another try; a 4xx answer is not. */
export function isTransient(error: unknown): boolean {
  const e = error as AwsErrorShape;
  if (isThrottling(error)) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'TimeoutError'].includes(e?.code ?? e?.name ?? '');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `call` again after transient errors, with full-jitter exponential backoff, until it succeeds, the
 * attempts run out or the call's deadline (`signal`) passes; then the last AWS error is rethrown as an
 * `Unavailable`/`Timeout` backend error carrying AWS's own message.
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  signal: AbortSignal,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (signal.aborted) {
        throw errors.timeout(`${what}: the call's deadline passed (${(error as Error).message})`, { cause: error });
      }
      if (!isTransient(error)) throw error;
      const message = `${what}: ${(error as Error).message}`;
      if (attempt >= policy.maxAttempts) throw errors.unavailable(message, { cause: error, retryAfterSeconds: 5 });
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      try {
        await sleep(Math.max(1, Math.random() * ceiling), signal);
      } catch {
        throw errors.timeout(`${message} (still failing when the call's deadline passed)`, { cause: error });
      }
    }
  }
}

/** A backend error as it is; any other failure as `Internal`, keeping AWS's message. */
export function asBackendError(what: string, error: unknown): Error {
  if (isBackendError(error)) return error;
  return errors.internal(`${what}: ${(error as Error).message}`, { cause: error });
}

import { type BackendError, errors } from '../../plugin-api/index.ts';

/** mysql2 codes meaning the server cannot be used right now (down, unreachable, refusing the admin). */
const UNAVAILABLE = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_HOST_IS_BLOCKED',
  'ER_SERVER_SHUTDOWN',
]);

export function mysqlError(error: unknown, host: string, what: string): BackendError {
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error && error.message !== '' ? error.message : String(code ?? error);
  const unavailable =
    typeof code === 'string' &&
    (UNAVAILABLE.has(code) || code.startsWith('PROTOCOL_') || (code.startsWith('E') && !code.startsWith('ER_')));
  return unavailable
    ? errors.unavailable(`MySQL server ${host} unreachable (${what}): ${text}`, { cause: error })
    : errors.internal(`MySQL server ${host} failed to ${what}: ${text}`, { cause: error });
}

import { type BackendError, errors } from '../../plugin-api/index.ts';

/** mysql2 error codes that mean the server cannot be used at all (down, unreachable, admin refused). */
const UNAVAILABLE_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_HOST_IS_BLOCKED',
  'ER_SERVER_SHUTDOWN',
]);

function isUnavailable(code: string | undefined): boolean {
  if (code === undefined) return false;
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('PROTOCOL_')) return true;
  return code.startsWith('E') && !code.startsWith('ER_'); // ECONNREFUSED, ETIMEDOUT, ENOTFOUND, ...
}

/** Maps a server error onto the plugin error table, naming the server and keeping its message. */
export function serverError(error: unknown, server: string, what: string): BackendError {
  const code = (error as { code?: unknown }).code;
  const codeText = typeof code === 'string' ? code : undefined;
  const message = (error as Error).message || codeText || String(error);
  if (isUnavailable(codeText)) {
    return errors.unavailable(`MySQL server ${server} unreachable (${what}): ${message}`, { cause: error });
  }
  return errors.internal(`MySQL server ${server} failed to ${what}: ${message}`, { cause: error });
}

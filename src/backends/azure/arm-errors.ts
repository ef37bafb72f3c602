import { type BackendError, errors, isBackendError } from '../../plugin-api/index.ts';

/** The SDK's RestError, recognised by shape: `@azure/core-rest-pipeline` is not our direct dependency. */
interface RestErrorShape extends Error {
  statusCode?: number;
  code?: string;
  details?: unknown;
  response?: { headers: { get(name: string): string | undefined } };
}

function asRestError(error: unknown): RestErrorShape | undefined {
  return error instanceof Error && error.name === 'RestError' ? (error as RestErrorShape) : undefined;
}

function armErrorCode(rest: RestErrorShape | undefined): string | undefined {
  return (rest?.details as { error?: { code?: string } } | undefined)?.error?.code ?? rest?.code;
}

/** The `{error:{code,message}}` of an ARM answer, as the SDK surfaces it. */
export function armErrorText(error: unknown): string {
  const rest = asRestError(error);
  if (rest !== undefined) {
    const code = armErrorCode(rest);
    const message = (rest.details as { error?: { message?: string } } | undefined)?.error?.message ?? rest.message;
    return code === undefined ? message : `${code}: ${message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** ARM names what is missing; the fix is in the backend's options, not in the request. */
const MISSING_SCOPE: Record<string, string> = {
  ResourceGroupNotFound: 'Check the resourceGroup option (infra/terraform/azure creates the group)',
  SubscriptionNotFound: "Check the subscriptionId option and that the broker's identity can see that subscription",
};

export function isNotFound(error: unknown): boolean {
  return asRestError(error)?.statusCode === 404;
}

/**
 * A failed HTTP exchange with ARM mapped onto the plugin error table, keeping Azure's own text. Requests ARM
 * refuses as invalid are the caller's fault; throttling that outlasted the SDK's retries, outages and
 * authentication problems are ours. An error already in the table (the credential's: no token, so no request
 * ever reached ARM) keeps its own description.
 */
export function armError(error: unknown, what: string): BackendError {
  if (isBackendError(error)) return error;
  const text = `Azure refused to ${what}: ${armErrorText(error)}`;
  const rest = asRestError(error);
  const status = rest?.statusCode;
  const retryAfter = Number(rest?.response?.headers.get('retry-after') ?? Number.NaN);
  const retryOptions = Number.isFinite(retryAfter) ? { cause: error, retryAfterSeconds: retryAfter } : { cause: error };
  switch (status) {
    case 400:
    case 422:
      return errors.invalidParameters(text, { cause: error });
    case 404: {
      const code = armErrorCode(rest);
      const hint = code === undefined ? undefined : MISSING_SCOPE[code];
      return errors.notFound(hint === undefined ? text : `${text}. ${hint}`, { cause: error });
    }
    case 409:
      return errors.conflict(text, { cause: error });
    case 401:
      return errors.internal(
        `${text}. ARM did not accept the token: check that endpoint and the credential's authority belong to the same cloud`,
        { cause: error },
      );
    case 403:
      return errors.internal(
        `${text}. The broker's identity lacks a role on the resource group: assign it one (infra/terraform/azure defines a least-privilege role for MySQL Flexible Servers and assigns it there)`,
        { cause: error },
      );
    default:
      return errors.unavailable(
        status === undefined ? `Azure Resource Manager unreachable (${what}): ${armErrorText(error)}` : text,
        retryOptions,
      );
  }
}

/** True when the failure is the operation's own (Azure reported it failed), not the exchange carrying it. */
export function isOperationFailure(error: unknown): boolean {
  const rest = asRestError(error);
  if (rest !== undefined) return [400, 404, 409, 410, 422].includes(rest.statusCode ?? 0);
  return error instanceof Error && error.message.startsWith('The long-running operation has failed');
}

/** core-lro writes "The long-running operation has failed. <code>. <message>": keep Azure's part. */
export function operationFailureText(error: unknown): string {
  const text = armErrorText(error);
  return text.replace(/^The long-running operation has failed\.?\s*/, '');
}

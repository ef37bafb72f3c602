import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { errors } from '../../plugin-api/index.ts';
import { asBackendError, type RetryPolicy, withRetry } from './aws-retry.ts';
import type { BindingUser } from './binding-credentials.ts';

/** What the bind hook Lambda receives (documented in docs/backends/aws.md). */
export interface BindHookEvent {
  action: 'bind' | 'unbind';
  instanceId: string;
  bindingId: string;
  stackName: string;
  /** The user to create or drop: stable per binding id. */
  username: string;
  outputs: Record<string, string>;
}

/** Invokes a template's bind hook synchronously; a function error fails the bind with the function's message. */
export async function invokeBindHook(
  lambda: LambdaClient,
  functionName: string,
  event: BindHookEvent,
  retry: RetryPolicy,
  signal: AbortSignal,
): Promise<BindingUser | undefined> {
  const out = await withRetry(`Invoke ${functionName}`, retry, signal, () =>
    lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
      { abortSignal: signal },
    ),
  ).catch((error: unknown) => {
    throw asBackendError(`Invoke ${functionName}`, error);
  });
  const text = out.Payload === undefined ? '' : new TextDecoder().decode(out.Payload);
  let payload: Record<string, unknown> = {};
  try {
    payload = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    throw errors.internal(`bind hook ${functionName} answered with something that is not JSON`);
  }
  if (out.FunctionError !== undefined) {
    const message = typeof payload.errorMessage === 'string' ? payload.errorMessage : out.FunctionError;
    throw errors.internal(`bind hook ${functionName} failed (${event.action}): ${message}`);
  }
  if (event.action === 'unbind') return undefined;
  if (typeof payload.username !== 'string' || typeof payload.password !== 'string') {
    throw errors.internal(`bind hook ${functionName} did not return a username and password`);
  }
  return { username: payload.username, password: payload.password };
}

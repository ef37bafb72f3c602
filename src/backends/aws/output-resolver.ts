import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errors } from '../../plugin-api/index.ts';
import { asBackendError, type RetryPolicy, withRetry } from './aws-retry.ts';
import type { CredentialSource } from './template-spec.ts';

/**
 * Turns stack outputs into values: an output may name an SSM parameter or a Secrets Manager secret, read at
 * bind time (so a rotated secret is what the binding gets). One resolver per bind: each name is read once.
 */
export class OutputResolver {
  private readonly fetched = new Map<string, Promise<string>>();

  constructor(
    private readonly outputs: Record<string, string>,
    private readonly clients: { ssm: SSMClient; secretsManager: SecretsManagerClient },
    private readonly retry: RetryPolicy,
    private readonly signal: AbortSignal,
  ) {}

  async resolve(source: CredentialSource): Promise<string> {
    const output = this.outputs[source.Output];
    if (output === undefined) throw errors.internal(`the stack has no output ${source.Output}`);
    const from = source.From ?? 'output';
    const raw = from === 'output' ? output : await this.read(from, output);
    if (source.JsonKey === undefined) return raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw errors.internal(`${source.Output}: the ${from} value is not JSON, cannot take key ${source.JsonKey}`);
    }
    const value = (parsed as Record<string, unknown>)?.[source.JsonKey];
    if (value === undefined || value === null) throw errors.internal(`${source.Output}: no key ${source.JsonKey}`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  private read(from: 'ssm' | 'secretsmanager', name: string): Promise<string> {
    const key = `${from}:${name}`;
    let pending = this.fetched.get(key);
    if (pending === undefined) {
      pending = from === 'ssm' ? this.readParameter(name) : this.readSecret(name);
      this.fetched.set(key, pending);
    }
    return pending;
  }

  private async readParameter(name: string): Promise<string> {
    const out = await withRetry(`GetParameter ${name}`, this.retry, this.signal, () =>
      this.clients.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }), {
        abortSignal: this.signal,
      }),
    ).catch((error: unknown) => {
      throw asBackendError(`GetParameter ${name}`, error);
    });
    return out.Parameter?.Value ?? '';
  }

  private async readSecret(secretId: string): Promise<string> {
    const out = await withRetry(`GetSecretValue ${secretId}`, this.retry, this.signal, () =>
      this.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }), {
        abortSignal: this.signal,
      }),
    ).catch((error: unknown) => {
      throw asBackendError(`GetSecretValue ${secretId}`, error);
    });
    if (out.SecretString === undefined) throw errors.internal(`secret ${secretId} has no SecretString`);
    return out.SecretString;
  }
}

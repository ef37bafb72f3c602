import awsBackend from '../../../src/backends/aws/index.ts';
import type {
  Backend,
  CallContext,
  InstanceView,
  JsonObject,
  Logger,
  OperationStatus,
} from '../../../src/plugin-api/index.ts';
import { FakeAws } from '../../fakes/cloudformation/fake-aws.ts';

export const silentLog: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLog,
};

export function ctx(timeoutMs = 10_000): CallContext {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    log: silentLog,
    originatingIdentity: { platform: 'cloudfoundry', value: { user_id: 'user-42' } },
  };
}

export const NETWORK = { VpcId: 'vpc-0abc', SubnetIds: ['subnet-1', 'subnet-2'] };

export async function startAws(options: Record<string, unknown> = {}): Promise<{ fake: FakeAws; backend: Backend }> {
  const fake = await new FakeAws({ stepMs: 5 }).start();
  const backend = await awsBackend.create(
    {
      region: 'eu-west-1',
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 6 },
      parameters: NETWORK,
      ...options,
    } as Parameters<typeof awsBackend.create>[0],
    { name: 'aws', log: silentLog, configDir: process.cwd() },
  );
  return { fake, backend };
}

export function instanceView(id: string, serviceId: string, planId: string, data: JsonObject = {}): InstanceView {
  return { id, serviceId, planId, parameters: {}, context: {}, data, secrets: {} };
}

/** Polls lastOperation like the broker does, until the operation is no longer in progress. */
export async function pollUntilDone(
  backend: Backend,
  instance: InstanceView,
  kind: 'provision' | 'update' | 'deprovision',
  operation: string,
): Promise<{ final: OperationStatus; seen: string[] }> {
  const seen: string[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await backend.lastOperation?.({ instance, kind, operation }, ctx());
    if (status === undefined) throw new Error('no lastOperation');
    seen.push(status.state);
    if (status.state !== 'in progress') return { final: status, seen };
    if (Date.now() > deadline) throw new Error(`still in progress: ${status.description}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

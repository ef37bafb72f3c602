import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  credentialViolations,
  type InstanceView,
  isBackendError,
  type Outcome,
  type ProvisionOutput,
} from '../../../src/plugin-api/index.ts';
import type { FakeAws } from '../../fakes/cloudformation/fake-aws.ts';
import { ctx, instanceView, pollUntilDone, startAws } from './aws-test-backend.ts';

let fake: FakeAws;
let backend: Backend;

beforeAll(async () => {
  ({ fake, backend } = await startAws());
});
afterAll(async () => {
  await backend.close?.();
  await fake.close();
});

function operationOf(outcome: Outcome<unknown>): string {
  if (outcome.state !== 'started') throw new Error('expected an async operation');
  return outcome.operation;
}

async function provisioned(id: string, serviceId: string, planId: string, parameters = {}): Promise<InstanceView> {
  const outcome = (await backend.provision(
    {
      instanceId: id,
      serviceId,
      planId,
      parameters,
      context: { platform: 'cloudfoundry', organization_guid: 'org-1', space_guid: 'space-1' },
      organizationGuid: 'org-1',
      spaceGuid: 'space-1',
      acceptsIncomplete: true,
    },
    ctx(),
  )) as Outcome<ProvisionOutput>;
  const instance = instanceView(id, serviceId, planId, outcome.state === 'started' ? (outcome.output?.data ?? {}) : {});
  const { final } = await pollUntilDone(backend, instance, 'provision', operationOf(outcome));
  expect(final).toMatchObject({ state: 'succeeded' });
  return instance;
}

function stackOf(instance: InstanceView) {
  const stack = fake.cloudFormation.stacks.find(
    (s) => s.name === instance.data.stackName && s.status !== 'DELETE_COMPLETE',
  );
  if (stack === undefined) throw new Error('no stack');
  return stack;
}

function output(instance: InstanceView, key: string): string {
  return stackOf(instance).outputs.find((o) => o.OutputKey === key)?.OutputValue ?? '';
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBackendError(error)) throw new Error(`expected a BackendError, got ${String(error)}`);
  return error;
}

describe('aws backend against the fake CloudFormation', () => {
  it('publishes one service per template with draft-04 schemas generated from the parameters', async () => {
    const catalog = await backend.catalog(ctx());
    expect(catalog.services.map((s) => s.name).sort()).toEqual([
      'dynamodb',
      'rds-mysql',
      'rds-postgresql',
      'redis',
      's3',
      'sqs',
    ]);
    const mysql = catalog.services.find((s) => s.name === 'rds-mysql');
    expect(mysql?.tags).toContain('mysql');
    const small = mysql?.plans.find((p) => p.name === 'small');
    type Schema = { $schema: string; properties: Record<string, Record<string, unknown>> };
    const create = small?.schemas?.service_instance?.create?.parameters as Schema;
    expect(create.$schema).toBe('http://json-schema.org/draft-04/schema#');
    // Fixed by the plan (DBInstanceClass) or by the operator (VpcId, SubnetIds): not the user's to set.
    expect(Object.keys(create.properties)).not.toContain('DBInstanceClass');
    expect(Object.keys(create.properties)).not.toContain('VpcId');
    expect(create.properties.AllocatedStorage).toEqual({
      description: 'Storage in GiB.',
      type: 'number',
      minimum: 20,
      maximum: 16384,
      default: 20,
    });
    expect(create.properties.EngineVersion?.enum).toEqual(['8.0', '8.4']);
    expect(create.properties.DatabaseName?.pattern).toBe('^(?:[a-zA-Z][a-zA-Z0-9_]*)$');
    const update = small?.schemas?.service_instance?.update?.parameters as Schema;
    expect(Object.keys(update.properties).sort()).toEqual([
      'AllocatedStorage',
      'BackupRetentionPeriod',
      'EngineVersion',
    ]);
  });

  it('provisions an S3 bucket as a stack with tags, binds its outputs, updates it and deletes it after a DELETE_FAILED', async () => {
    const instance = await provisioned('inst-s3-1', 's3', 's3-standard', { ExpirationDays: 7 });
    const stack = stackOf(instance);
    expect(stack.name).toMatch(/^omnibroker-[0-9a-f]{24}$/);
    expect(stack.parameters).toMatchObject({ VersioningStatus: 'Suspended', ExpirationDays: '7' });
    const tags = Object.fromEntries(stack.tags.map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      'omnibroker:instance-id': 'inst-s3-1',
      'omnibroker:organization-guid': 'org-1',
      'omnibroker:space-guid': 'space-1',
      'omnibroker:origin-platform': 'cloudfoundry',
      'omnibroker:origin-user': 'user-42',
    });

    const bound = await backend.bind(
      { instance, bindingId: 'bind-s3-1', parameters: {}, context: {}, acceptsIncomplete: false },
      ctx(),
    );
    if (bound.state !== 'done') throw new Error('bind must be synchronous');
    const creds = bound.output.credentials;
    const bucket = output(instance, 'BucketName');
    const secretArn = output(instance, 'AccessKeySecretArn');
    const secret = JSON.parse(fake.secrets.get(secretArn)?.value ?? '{}') as Record<string, string>;
    expect(creds).toEqual({
      type: 'aws-s3',
      provider: 'aws-cloudformation',
      region: 'eu-west-1',
      bucket,
      'bucket-arn': `arn:aws:s3:::${bucket}`,
      endpoint: `https://${bucket}.s3.eu-west-1.amazonaws.com`,
      'access-key-id': secret['access-key-id'],
      'secret-access-key': secret['secret-access-key'],
    });
    expect(creds['access-key-id']).toMatch(/^AKIA/);
    expect(credentialViolations(creds)).toEqual([]);

    const enableVersioning = {
      instance,
      planId: 's3-standard',
      parameters: { VersioningStatus: 'Enabled' },
      context: {},
      acceptsIncomplete: true,
    };
    const update = await backend.update(enableVersioning, ctx());
    const updated = await pollUntilDone(backend, instance, 'update', operationOf(update));
    expect(updated.final.state).toBe('succeeded');
    expect(stackOf(instance).parameters).toMatchObject({ VersioningStatus: 'Enabled', ExpirationDays: '7' });

    const again = await backend.update(enableVersioning, ctx());
    expect(again).toEqual({ state: 'done', output: {} });

    fake.cloudFormation.failWhen({
      operation: 'delete',
      logicalId: 'Bucket',
      reason: 'The bucket you tried to delete is not empty',
      times: 1,
    });
    const firstDelete = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    const failedDelete = await pollUntilDone(backend, instance, 'deprovision', operationOf(firstDelete));
    expect(failedDelete.final.state).toBe('failed');
    expect(failedDelete.final.description).toContain('is DELETE_FAILED');
    expect(failedDelete.final.description).toContain(
      'Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty',
    );

    const retry = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    const deleted = await pollUntilDone(backend, instance, 'deprovision', operationOf(retry));
    expect(deleted.final.state).toBe('succeeded');
    expect(fake.secrets.has(secretArn)).toBe(false);
    // Deleting what is already gone succeeds at once.
    expect(await backend.deprovision({ instance, acceptsIncomplete: true }, ctx())).toEqual({
      state: 'done',
      output: {},
    });
  });

  it('rejects what CloudFormation would not do: sync provision, unknown and non-updatable parameters, plan changes', async () => {
    const request = {
      instanceId: 'inst-sqs-x',
      serviceId: 'sqs',
      planId: 'sqs-standard',
      parameters: {},
      context: {},
      acceptsIncomplete: false,
    };
    expect((await rejection(backend.provision(request, ctx()))).code).toBe('AsyncRequired');
    const unknown = await rejection(
      backend.provision({ ...request, acceptsIncomplete: true, parameters: { Colour: 'red' } }, ctx()),
    );
    expect(unknown.code).toBe('InvalidParameters');
    expect(unknown.message).toContain('Colour');

    const instance = await provisioned('inst-sqs-1', 'sqs', 'sqs-fifo');
    expect(output(instance, 'QueueName')).toBe(`${stackOf(instance).name}.fifo`);
    const bound = await backend.bind(
      { instance, bindingId: 'b1', parameters: {}, context: {}, acceptsIncomplete: false },
      ctx(),
    );
    if (bound.state !== 'done') throw new Error('bind must be synchronous');
    expect(bound.output.credentials['queue-url']).toBe(
      `https://sqs.eu-west-1.amazonaws.com/123456789012/${stackOf(instance).name}.fifo`,
    );
    expect(bound.output.credentials.type).toBe('aws-sqs');
    expect(credentialViolations(bound.output.credentials)).toEqual([]);

    const fixed = await rejection(
      backend.update(
        { instance, planId: 'sqs-fifo', parameters: { FifoQueue: 'false' }, context: {}, acceptsIncomplete: true },
        ctx(),
      ),
    );
    expect(fixed.code).toBe('InvalidParameters');
    const planChange = await rejection(
      backend.update({ instance, planId: 'sqs-standard', parameters: {}, context: {}, acceptsIncomplete: true }, ctx()),
    );
    expect(planChange.code).toBe('BadRequest');
  });

  it('reports a failed create with the failing resource reason, and the rolled-back stack is deletable', async () => {
    fake.cloudFormation.failWhen({
      operation: 'create',
      resourceType: 'AWS::RDS::DBInstance',
      reason: 'DB Instance quota exceeded (Service: Rds, Status Code: 400, Request ID: 5d2c)',
      times: 1,
    });
    const outcome = await backend.provision(
      {
        instanceId: 'inst-pg-fail',
        serviceId: 'rds-postgresql',
        planId: 'rds-postgresql-small',
        parameters: {},
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    const instance = instanceView(
      'inst-pg-fail',
      'rds-postgresql',
      'rds-postgresql-small',
      outcome.state === 'started' ? (outcome.output?.data ?? {}) : {},
    );
    const { final, seen } = await pollUntilDone(backend, instance, 'provision', operationOf(outcome));
    expect(seen[0]).toBe('in progress');
    expect(final.state).toBe('failed');
    expect(final.description).toContain('ROLLBACK_COMPLETE');
    expect(final.description).toContain(
      'Database (AWS::RDS::DBInstance) CREATE_FAILED: DB Instance quota exceeded (Service: Rds, Status Code: 400, Request ID: 5d2c)',
    );
    const removal = await backend.deprovision({ instance, acceptsIncomplete: true }, ctx());
    expect((await pollUntilDone(backend, instance, 'deprovision', operationOf(removal))).final.state).toBe('succeeded');
  });

  it("retries throttled CloudFormation calls with backoff, and gives up with AWS's message", async () => {
    const before = fake.calls.filter((c) => c === 'CreateStack').length;
    fake.throttle(3, 'CreateStack');
    const first = await backend.provision(
      {
        instanceId: 'inst-ddb-1',
        serviceId: 'dynamodb',
        planId: 'dynamodb-on-demand',
        parameters: {},
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    expect(first.state).toBe('started');
    expect(fake.calls.filter((c) => c === 'CreateStack').length - before).toBe(4);
    // A repeated create (after a crash) addresses the same stack.
    const repeat = await backend.provision(
      {
        instanceId: 'inst-ddb-1',
        serviceId: 'dynamodb',
        planId: 'dynamodb-on-demand',
        parameters: {},
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    expect(operationOf(repeat)).toBe(operationOf(first));
    expect(fake.cloudFormation.stacks.filter((s) => s.tags.some((t) => t.Value === 'inst-ddb-1'))).toHaveLength(1);

    fake.throttle(100, 'DescribeStacks');
    const instance = instanceView('inst-ddb-1', 'dynamodb', 'dynamodb-on-demand');
    const error = await rejection(
      backend.lastOperation!({ instance, kind: 'provision', operation: operationOf(first) }, ctx()),
    );
    expect(error.code).toBe('Unavailable');
    expect(error.message).toContain('Rate exceeded');
    fake.clearThrottles();
    // Throttling that outlasts the call deadline ends as a timeout, not a hang.
    fake.throttle(1000, 'DescribeStacks');
    const slow = await startAwsWithPatientRetry();
    const timedOut = await rejection(
      slow.lastOperation!({ instance, kind: 'provision', operation: operationOf(first) }, ctx(300)),
    );
    expect(timedOut.code).toBe('Timeout');
    fake.clearThrottles();
    await slow.close?.();
  });
});

async function startAwsWithPatientRetry(): Promise<Backend> {
  const { default: definition } = await import('../../../src/backends/aws/index.ts');
  return definition.create(
    {
      region: 'eu-west-1',
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      retry: { baseDelayMs: 50, maxDelayMs: 100, maxAttempts: 1000 },
      parameters: { VpcId: 'vpc-1', SubnetIds: ['subnet-1', 'subnet-2'] },
    },
    { name: 'aws', log: ctx().log, configDir: process.cwd() },
  );
}

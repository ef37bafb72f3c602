import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialViolations } from '../../../src/plugin-api/index.ts';
import { FakeAws } from '../../fakes/cloudformation/fake-aws.ts';
import { type Harness, startHarness } from '../../support/harness.ts';
import { NETWORK } from './aws-test-backend.ts';

let fake: FakeAws;
let harness: Harness;

beforeAll(async () => {
  fake = await new FakeAws({ stepMs: 5 }).start();
  harness = await startHarness({
    backends: [
      {
        name: 'aws',
        type: 'aws',
        options: {
          region: 'eu-west-1',
          endpoint: fake.url,
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
          retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 6 },
          parameters: NETWORK,
        },
      },
    ],
  });
});
afterAll(async () => {
  await harness?.close();
  await fake?.close();
});

describe('aws backend through the gateway', () => {
  it('provisions, binds, updates and deprovisions an SQS queue over OSB, and reports a failed create', async () => {
    const { client } = harness;
    const catalog = await client.catalog();
    expect(catalog.status).toBe(200);
    const services = catalog.body.services as Array<{
      id: string;
      name: string;
      plans: Array<{ id: string; name: string }>;
    }>;
    const sqs = services.find((s) => s.id === 'aws.sqs');
    const plan = sqs?.plans.find((p) => p.name === 'standard');
    expect(sqs?.name).toBe('aws-sqs');
    const ids = { service_id: 'aws.sqs', plan_id: String(plan?.id) };

    const put = await client.provision('gw-sqs-1', { ...ids, parameters: { VisibilityTimeout: 60 } });
    expect(put.status).toBe(202);
    expect(await client.waitForInstance('gw-sqs-1', put.body.operation as string)).toMatchObject({
      state: 'succeeded',
    });
    const stack = fake.cloudFormation.stacks.find((s) =>
      s.tags.some((t) => t.Key === 'omnibroker:instance-id' && t.Value === 'gw-sqs-1'),
    );
    expect(stack?.parameters.VisibilityTimeout).toBe('60');

    const bind = await client.bind('gw-sqs-1', 'gw-bind-1', ids);
    expect(bind.status).toBe(201);
    const credentials = bind.body.credentials as Record<string, string>;
    expect(credentials.type).toBe('aws-sqs');
    expect(credentials['queue-url']).toBe(stack?.outputs.find((o) => o.OutputKey === 'QueueUrl')?.OutputValue);
    expect(credentialViolations(credentials)).toEqual([]);

    const patch = await client.update('gw-sqs-1', { service_id: 'aws.sqs', parameters: { VisibilityTimeout: 90 } });
    expect(patch.status).toBe(202);
    expect(await client.waitForInstance('gw-sqs-1', patch.body.operation as string)).toMatchObject({
      state: 'succeeded',
    });
    expect(stack?.parameters.VisibilityTimeout).toBe('90');

    expect((await client.unbind('gw-sqs-1', 'gw-bind-1', ids)).status).toBe(200);
    const del = await client.deprovision('gw-sqs-1', ids);
    expect(del.status).toBe(202);
    expect(await client.waitForInstance('gw-sqs-1', del.body.operation as string)).toMatchObject({
      state: 'succeeded',
    });
    expect(stack?.status).toBe('DELETE_COMPLETE');

    fake.cloudFormation.failWhen({
      operation: 'create',
      logicalId: 'Queue',
      reason: 'Access to KMS is not allowed',
      times: 1,
    });
    const failing = await client.provision('gw-sqs-2', ids);
    expect(failing.status).toBe(202);
    const failed = await client.waitForInstance('gw-sqs-2', failing.body.operation as string);
    expect(failed.state).toBe('failed');
    expect(String(failed.description)).toContain('Queue (AWS::SQS::Queue) CREATE_FAILED: Access to KMS is not allowed');
    const cleanup = await client.deprovision('gw-sqs-2', ids);
    expect([200, 202]).toContain(cleanup.status);
    if (cleanup.status === 202) {
      expect(await client.waitForInstance('gw-sqs-2', cleanup.body.operation as string)).toMatchObject({
        state: 'succeeded',
      });
    }
  });
});

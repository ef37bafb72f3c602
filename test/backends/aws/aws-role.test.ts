import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSUMED_ACCESS_KEY_ID, type FakeAws } from '../../fakes/cloudformation/fake-aws.ts';
import type { Backend } from '../../../src/plugin-api/index.ts';
import { ctx, startAws } from './aws-test-backend.ts';

describe('aws backend with roleArn', () => {
  let fake: FakeAws;
  let backend: Backend;
  beforeAll(async () => {
    ({ fake, backend } = await startAws({ roleArn: 'arn:aws:iam::123456789012:role/omnibroker' }));
  });
  afterAll(async () => {
    await backend.close?.();
    await fake.close();
  });

  it('assumes the role through STS and signs CloudFormation calls with the temporary credentials', async () => {
    const outcome = await backend.provision(
      {
        instanceId: 'role-1',
        serviceId: 'sqs',
        planId: 'sqs-standard',
        parameters: {},
        context: {},
        acceptsIncomplete: true,
      },
      ctx(),
    );
    expect(outcome.state).toBe('started');
    expect(fake.assumedRoles).toEqual([
      { roleArn: 'arn:aws:iam::123456789012:role/omnibroker', sessionName: 'omnibroker-aws' },
    ]);
    const createStack = fake.calls.indexOf('CreateStack');
    expect(createStack).toBeGreaterThan(fake.calls.indexOf('AssumeRole'));
    expect(fake.signers[fake.calls.indexOf('AssumeRole')]).toBe('AKIDTEST');
    expect(fake.signers[createStack]).toBe(ASSUMED_ACCESS_KEY_ID);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/plugin-api/index.ts';
import type { FakeAws } from '../../fakes/cloudformation/fake-aws.ts';
import { freePort } from '../../support/ports.ts';
import { ctx, startAws } from './aws-test-backend.ts';

describe('aws backend health (what `omnibroker doctor` reports)', () => {
  const started: Array<{ fake: FakeAws; backend: Backend }> = [];
  afterAll(async () => {
    for (const { fake, backend } of started) {
      await backend.close?.();
      await fake.close();
    }
  });

  it('is healthy when the templates load and CloudFormation answers a signed DescribeStacks', async () => {
    const aws = await startAws();
    started.push(aws);
    const status = await aws.backend.health?.(ctx());
    expect(status).toEqual({
      ok: true,
      detail: expect.stringMatching(/CloudFormation in eu-west-1 answers; \d+ service/),
    });
    expect(aws.fake.calls).toContain('DescribeStacks');
    expect(aws.fake.signers.at(-1)).toBe('AKIDTEST');
  });

  it('is unhealthy, saying why, when the CloudFormation endpoint cannot be reached', async () => {
    const aws = await startAws({ endpoint: `http://127.0.0.1:${await freePort()}` });
    started.push(aws);
    const status = await aws.backend.health?.(ctx());
    expect(status?.ok).toBe(false);
    expect(status?.detail).toMatch(/DescribeStacks/);
    expect(status?.detail).toMatch(/ECONNREFUSED|connect/);
  });
});

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, upstreamBackend } from '../support/harness.ts';

const ids = { service_id: 'up.svc-postgres', plan_id: 'up.plan-small' };

/** The broker's JSON log lines, as an operator's log shipper would receive them. */
function capturedLines(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { lines, raw, logger: createLogger(level, sink) };
}

describe('request logging', () => {
  let upstream: UpstreamBroker;
  beforeAll(async () => {
    upstream = await startUpstreamBroker({ mode: 'sync' });
  });
  afterAll(() => upstream?.stop());

  async function brokerLoggingAt(level: string) {
    const captured = capturedLines(level);
    const harness: Harness = await startHarness({
      backends: [upstreamBackend(upstream.url)],
      logger: captured.logger,
    });
    return { harness, lines: captured.lines, raw: captured.raw };
  }

  it('at info: a mutation writes one line, its audit line, with the request identity and fields; quiet GETs', async () => {
    const { harness, lines } = await brokerLoggingAt('info');
    try {
      const put = await harness.client.raw({
        method: 'PUT',
        path: '/v2/service_instances/log-1',
        headers: { 'x-broker-api-request-identity': 'req-log-1' },
        body: { ...ids, organization_guid: 'org', space_guid: 'space' },
      });
      expect(put.status).toBe(201);
      const polls = lines.length;
      expect((await harness.client.raw({ method: 'GET', path: '/v2/catalog' })).status).toBe(200);
      expect(lines.length).toBe(polls);

      const ofRequest = lines.filter((l) => l.requestIdentity === 'req-log-1');
      expect(ofRequest.map((l) => l.msg)).toEqual(['audit: provision log-1 → 201']);
      expect(ofRequest[0]).toMatchObject({
        level: 30,
        method: 'PUT',
        status: 201,
        audit: { action: 'provision', instance: 'log-1', backend: 'up' },
      });
      const text = JSON.stringify(lines);
      expect(text).not.toContain('test-password');
      expect(text).not.toContain(Buffer.from('platform:test-password').toString('base64'));
    } finally {
      await harness.close();
    }
  });

  it('at debug: successful GETs get their request line too, each with its own generated identity', async () => {
    const { harness, lines } = await brokerLoggingAt('debug');
    try {
      await harness.client.raw({ method: 'GET', path: '/v2/catalog' });
      await harness.client.raw({ method: 'GET', path: '/v2/catalog' });
      const gets = lines.filter((l) => l.msg === 'request finished' && l.method === 'GET');
      expect(gets).toHaveLength(2);
      expect(gets.map((l) => l.level)).toEqual([20, 20]);
      const identities = gets.map((l) => l.requestIdentity);
      expect(identities.every((id) => typeof id === 'string' && id !== '')).toBe(true);
      expect(new Set(identities).size).toBe(2);
    } finally {
      await harness.close();
    }
  });

  it('at debug: a backend call line names its backend and operation once each (no repeated JSON keys)', async () => {
    const { harness, lines, raw } = await brokerLoggingAt('debug');
    try {
      const put = await harness.client.provision('log-2', { ...ids, organization_guid: 'org', space_guid: 'space' });
      expect(put.status).toBe(201);
      const index = lines.findIndex((l) => l.msg === 'upstream call' && l.operation === 'provision');
      expect(lines[index]).toMatchObject({ backend: 'up', operation: 'provision', method: 'PUT', status: 201 });
      const text = raw[index] ?? '';
      expect(text.match(/"backend":/g)).toHaveLength(1);
      expect(text.match(/"operation":/g)).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });
});

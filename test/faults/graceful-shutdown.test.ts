/**
 * Fault 5: SIGTERM while a request is in flight. Expected: the request completes, no new connection is
 * accepted meanwhile, the process exits 0.
 */
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnUpstreamBroker, type UpstreamBrokerProcess } from '../fakes/upstream-broker/process.ts';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.ts';
import { FAST_OPERATIONS, IDS, osbBackend, sleep } from './fixture.ts';
import { redisState, type FaultState } from './state-servers.ts';

const UPSTREAM_DELAY_MS = 1_500;
const EXIT_BOUND_MS = 5_000;

/** Resolves true when a fresh TCP connection to the port is accepted, false when refused. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('SIGTERM during an in-flight request', () => {
  let state: FaultState;
  let upstream: UpstreamBrokerProcess;
  let broker: BrokerProcess;

  beforeAll(async () => {
    state = await redisState();
    upstream = await spawnUpstreamBroker({ asyncMs: 200 });
    broker = await startBrokerProcess({
      state: state.config,
      backends: [osbBackend('up', upstream, { timeoutMs: 4_000 })],
      // A lease longer than the slowed upstream call, so the sweeper does not repeat it meanwhile.
      operations: { ...FAST_OPERATIONS, leaseTtlMs: 5_000 },
    });
  });
  afterAll(async () => {
    await broker?.dispose();
    await upstream?.stop();
    await state?.stop();
  });

  /** A provision over a connection of its own (`Connection: close`), as a platform without keep-alive sends it. */
  function provisionOnce(id: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${broker.url}/v2/service_instances/${id}?accepts_incomplete=true`,
        { method: 'PUT', agent: false, headers: { ...broker.client.headers(), 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.once('error', reject);
      req.end(JSON.stringify({ ...IDS, organization_guid: 'o', space_guid: 's' }));
    });
  }

  it('finishes the request, refuses new connections, exits 0', async () => {
    await upstream.setFailure({ delayMs: UPSTREAM_DELAY_MS });
    const started = performance.now();
    const inFlight = provisionOnce('term-1');
    await sleep(400);
    const exit = broker.stop();
    await sleep(200);
    const acceptedDuringShutdown = await accepts(broker.port);
    const status = await inFlight;
    const { code, signal } = await exit;

    expect(status).toBe(202);
    expect(performance.now() - started).toBeGreaterThanOrEqual(UPSTREAM_DELAY_MS);
    expect(acceptedDuringShutdown).toBe(false);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(broker.output()).toContain('shutting down');
    // The acknowledged provision is durable: a restarted broker knows it.
    await upstream.setFailure({});
    await broker.restart();
    expect((await broker.client.lastOperation('term-1', IDS)).status).toBe(200);
  });

  // A keep-alive client (undici fetch, as most platforms) must not hold the closing process open until
  // Fastify's keepAliveTimeout (72 s): answers sent while closing carry `Connection: close`.
  it('exits promptly after the in-flight response on a keep-alive connection', async () => {
    await upstream.setFailure({ delayMs: UPSTREAM_DELAY_MS });
    const inFlight = broker.client.provision('term-2', IDS);
    await sleep(400);
    const exit = broker.stop();
    expect((await inFlight).status).toBe(202);
    const answered = Date.now();
    const outcome = await Promise.race([exit, sleep(EXIT_BOUND_MS).then(() => 'still running')]);
    await upstream.setFailure({});
    expect(outcome, `exit within ${EXIT_BOUND_MS} ms of ${new Date(answered).toISOString()}`).toEqual({
      code: 0,
      signal: null,
    });
  });
});

import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpExchange } from '../../../src/backends/osb/http-exchange.ts';

/**
 * A raw HTTP/1.1 server that answers keep-alive, and resets (RST) a connection instead of answering once it has
 * served `answersPerConnection` requests on it: what a broker behind a proxy does when it drops an idle
 * connection at the moment a pooled socket is reused.
 */
function resettingServer(answersPerConnection: number) {
  const seen = { connections: 0, requests: 0 };
  const server: Server = createServer((socket: Socket) => {
    seen.connections += 1;
    let answered = 0;
    socket.on('data', (chunk) => {
      for (const _ of chunk.toString().matchAll(/\r\n\r\n/g)) {
        seen.requests += 1;
        if (answered >= answersPerConnection) {
          socket.resetAndDestroy();
          return;
        }
        answered += 1;
        const body = JSON.stringify({ connection: seen.connections, answered });
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`,
        );
      }
    });
    socket.on('error', () => undefined);
  });
  return {
    seen,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      return new URL(`http://127.0.0.1:${address.port}/v2/catalog`);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const get = (signal = AbortSignal.timeout(5000)) => ({ method: 'GET', headers: {}, signal, timeoutMs: 5000 });
/** The pool takes a connection back just after its answer is read; a call sent in that instant opens another. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('HttpExchange (the osb backend upstream client)', () => {
  let stop: (() => Promise<void>) | undefined;
  let exchange: HttpExchange | undefined;
  afterEach(async () => {
    exchange?.close();
    await stop?.();
  });

  /** A resetting server and an exchange to it, both stopped after the test. */
  async function exchangeTo(answersPerConnection: number) {
    const server = resettingServer(answersPerConnection);
    const url = await server.start();
    stop = server.stop;
    const client = new HttpExchange(url);
    exchange = client;
    return { server, url, client };
  }

  it('reuses one keep-alive connection for sequential calls', async () => {
    const { server, url, client } = await exchangeTo(10);
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await client.send(url, get()));
      await settle();
    }
    expect(answers.map((a) => [a.status, JSON.parse(a.text)])).toEqual([
      [200, { connection: 1, answered: 1 }],
      [200, { connection: 1, answered: 2 }],
      [200, { connection: 1, answered: 3 }],
    ]);
    expect(server.seen.connections).toBe(1);
  });

  it('sends a call again on a new connection when the reused one is reset before any answer', async () => {
    const { server, url, client } = await exchangeTo(1);
    expect((await client.send(url, get())).status).toBe(200);
    await settle();
    const second = await client.send(url, get());
    expect(JSON.parse(second.text)).toEqual({ connection: 2, answered: 1 });
    expect(server.seen).toEqual({ connections: 2, requests: 3 });
  });

  it('back-to-back calls share keep-alive connections: ten calls, at most two connections', async () => {
    const { server, url, client } = await exchangeTo(10);
    for (let i = 0; i < 10; i++) expect((await client.send(url, get())).status).toBe(200);
    expect(server.seen.connections).toBeLessThanOrEqual(2);
    expect(server.seen.requests).toBe(10);
  });

  it('sends a call at most twice: a connection reset again on the second try reaches the caller', async () => {
    const { server, url, client } = await exchangeTo(0);
    await expect(client.send(url, get())).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.seen).toEqual({ connections: 2, requests: 2 });
  });
});

import http from 'node:http';
import https from 'node:https';

export interface HttpExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpExchangeAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const abortError = (signal: AbortSignal): Error =>
  Object.assign(new Error('the request was aborted', { cause: signal.reason }), { name: 'AbortError' });

/**
 * Free keep-alive sockets are dropped after this long: below the 5 s idle timeout of Node servers (and most
 * brokers' proxies), so a reused socket is rarely one the server is closing at that very moment.
 */
const FREE_SOCKET_TIMEOUT_MS = 4000;

/**
 * One upstream's HTTP requests over node:http with a keep-alive pool. It costs a fraction of the CPU of fetch
 * per call, which matters because every OSB call through the `osb` backend makes one.
 */
export class HttpExchange {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(origin: URL) {
    const secure = origin.protocol === 'https:';
    this.transport = secure ? https : http;
    const options = { keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
  }

  async send(url: URL, request: HttpExchangeRequest): Promise<HttpExchangeAnswer> {
    try {
      return await this.once(url, request);
    } catch (error) {
      // The server closed a pooled socket just as it was reused: the request never reached it (Node's advice).
      if ((error as { reusedSocket?: boolean }).reusedSocket === true && !request.signal.aborted) {
        return this.once(url, request);
      }
      throw error;
    }
  }

  private once(url: URL, request: HttpExchangeRequest): Promise<HttpExchangeAnswer> {
    const { signal } = request;
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<HttpExchangeAnswer>((resolve, reject) => {
      const req = this.transport.request(url, { method: request.method, headers: request.headers, agent: this.agent });
      // A listener of our own instead of the `signal` option, whose stream plumbing costs more per request.
      const onAbort = () => req.destroy(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal.removeEventListener('abort', onAbort);
      req.once('error', (error: Error & { code?: string }) => {
        settle();
        const reused = req.reusedSocket && error.code === 'ECONNRESET';
        reject(Object.assign(error, { reusedSocket: reused }));
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', (error) => {
          settle();
          reject(error);
        });
        res.once('end', () => {
          settle();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, Pool } from 'undici';

export interface HttpExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Longest wait for the answer's headers, and then between two pieces of its body. */
  timeoutMs: number;
}

export interface HttpExchangeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Free keep-alive sockets are dropped after this long: below the 5 s idle timeout of Node servers (and most
 * brokers' proxies), so a reused socket is rarely one the server is closing at that very moment.
 */
const FREE_SOCKET_TIMEOUT_MS = 4000;

/**
 * The connection was reset or closed before any answer: most often a pooled connection the server closed just as
 * it was reused, so the request never reached it. undici does not say whether the connection was a reused one;
 * sending the call once more is safe either way, since OSB calls are idempotent (an identical PUT, PATCH or
 * DELETE answers as the first did).
 */
const RESET_BEFORE_ANSWER = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/** undici's `headersTimeout` and `bodyTimeout`, both set from the request's `timeoutMs`. */
const ANSWER_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const codeOf = (error: unknown): string => (error as { code?: string }).code ?? '';
const resetBeforeAnswer = (error: unknown): boolean => RESET_BEFORE_ANSWER.has(codeOf(error));

/** The upstream did not answer, or stopped sending its body, within the request's `timeoutMs`. */
export const isAnswerTimeout = (error: unknown): boolean => ANSWER_TIMEOUTS.has(codeOf(error));

/**
 * One upstream's HTTP requests over an undici keep-alive pool. Every OSB call through the `osb` backend makes
 * one, and undici's request API costs about half the CPU of node:http per call (a fraction of fetch's). Calls
 * sent back to back may use two connections: the pool takes a connection back just after its answer is read.
 */
export class HttpExchange {
  private readonly pool: Pool;

  constructor(origin: URL) {
    this.pool = new Pool(origin.origin, {
      keepAliveTimeout: FREE_SOCKET_TIMEOUT_MS,
      keepAliveMaxTimeout: FREE_SOCKET_TIMEOUT_MS,
    });
  }

  async send(url: URL, request: HttpExchangeRequest): Promise<HttpExchangeAnswer> {
    try {
      return await this.once(url, request);
    } catch (error) {
      if (resetBeforeAnswer(error) && !request.signal.aborted) return this.once(url, request);
      throw error;
    }
  }

  private async once(url: URL, request: HttpExchangeRequest): Promise<HttpExchangeAnswer> {
    const answer = await this.pool.request({
      path: `${url.pathname}${url.search}`,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: request.body ?? null,
      signal: request.signal,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    return {
      status: answer.statusCode,
      headers: answer.headers as IncomingHttpHeaders,
      text: await answer.body.text(),
    };
  }

  close(): void {
    void this.pool.destroy();
  }
}

import type { Redis } from 'ioredis';

/**
 * Fails the commands of a Redis that stopped answering. Redis answers a connection's commands in order, so once the
 * oldest pending one has waited the timeout, none behind it can be answered sooner: all of them fail together, and
 * so does every command issued while the stall lasts, within a sweep. One timer per store instead of ioredis'
 * `commandTimeout`, which armed and cleared a timer for every command.
 * A command waits at most about 1.25 times the timeout; an answer that arrives later is dropped.
 */
export class RedisStallWatchdog {
  private head: unknown;
  private headSince = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.ceil(timeoutMs / 8)));
    this.sweeper.unref();
  }

  private sweep(): void {
    const queue = this.redis.commandQueue;
    const head = queue.peekFront();
    const now = Date.now();
    if (head !== this.head) {
      this.head = head;
      this.headSince = now;
      return;
    }
    if (head === undefined || now - this.headSince < this.timeoutMs) return;
    const stalled = new Error(`no answer from redis within ${this.timeoutMs} ms`);
    for (const item of queue.toArray()) item.command.reject(stalled);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}

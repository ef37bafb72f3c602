import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { lazyCallLogger } from '../../src/registry/lazy-call-logger.ts';

function captured(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger(level, sink);
  let children = 0;
  const counting = Object.assign(Object.create(logger), {
    child: (bindings: Record<string, unknown>) => {
      children += 1;
      return logger.child(bindings);
    },
  });
  return { logger: counting, lines, children: () => children };
}

describe('lazyCallLogger', () => {
  it('creates no child for lines below the level, one child for all written lines, which carry the bindings', async () => {
    const { logger, lines, children } = captured('info');
    const log = lazyCallLogger(logger, { backend: 'up', operation: 'provision' });
    log.debug({ path: '/v2/x' }, 'upstream call');
    expect(children()).toBe(0);
    log.info({ step: 1 }, 'first');
    log.warn('second');
    await new Promise((resolve) => setImmediate(resolve));
    expect(children()).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['first', 'second']);
    expect(lines[0]).toMatchObject({ backend: 'up', operation: 'provision', step: 1, level: 30 });
    expect(lines[1]).toMatchObject({ backend: 'up', operation: 'provision', level: 40 });
  });

  it('writes debug lines when the parent is at debug', async () => {
    const { logger, lines } = captured('debug');
    lazyCallLogger(logger, { backend: 'up' }).debug({ status: 200 }, 'upstream call');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ backend: 'up', status: 200, level: 20, msg: 'upstream call' });
  });
});

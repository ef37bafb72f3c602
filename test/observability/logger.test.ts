import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';

/** A logger at info whose lines are parsed back, as a log collector would read them. */
function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger('info', sink);
  return { log, text: () => lines.join('\n'), last: () => JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown> };
}

describe('log redaction', () => {
  it('censors sensitive keys at the top, nested deep, inside arrays and whatever their case', () => {
    const { log, last, text } = capture();
    log.info(
      {
        Authorization: 'Basic cGxhdGZvcm06czNjcmV0',
        request: { body: { parameters: { adminPassword: 'p-top' } } },
        a: { b: { c: { d: { password: 'p-depth-5' } } } },
        bindings: [{ credentials: { uri: 'mysql://u:p-array@db/x' } }, { token: 'p-token' }],
        instance: 'i-1',
      },
      'provision',
    );
    const line = last();
    expect(line.Authorization).toBe('[redacted]');
    expect(line.request).toEqual({ body: { parameters: '[redacted]' } });
    expect(line.a).toEqual({ b: { c: { d: { password: '[redacted]' } } } });
    expect(line.bindings).toEqual([{ credentials: '[redacted]' }, { token: '[redacted]' }]);
    expect(line.instance).toBe('i-1');
    for (const secret of ['czNjcmV0', 'p-top', 'p-depth-5', 'p-array', 'p-token']) expect(text()).not.toContain(secret);
  });

  it('leaves the logged object itself unchanged', () => {
    const { log } = capture();
    const logged = { credentials: { password: 'kept' }, nested: { secret: 'kept too' } };
    log.info(logged, 'line');
    expect(logged).toEqual({ credentials: { password: 'kept' }, nested: { secret: 'kept too' } });
  });

  it('censors the bindings of children and grandchildren', () => {
    const { log, last, text } = capture();
    const child = log.child({ backend: 'b1', secret: 'p-child' });
    child.child({ call: { token: 'p-grandchild' } }).warn('from a grandchild');
    expect(last()).toMatchObject({ backend: 'b1', secret: '[redacted]', call: { token: '[redacted]' } });
    expect(text()).not.toContain('p-child');
    expect(text()).not.toContain('p-grandchild');
  });

  it('serialises errors as before and censors their sensitive properties', () => {
    const { log, last, text } = capture();
    const error = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED', password: 'p-error' });
    log.error({ err: error, other: Object.assign(new Error('second'), { token: 'p-other' }) }, 'failed');
    const line = last();
    expect(line.err).toMatchObject({ type: 'Error', message: 'connect failed', code: 'ECONNREFUSED' });
    expect((line.err as { stack: string }).stack).toContain('connect failed');
    expect((line.err as { password: string }).password).toBe('[redacted]');
    expect(line.other).toEqual({ token: '[redacted]' });
    expect(text()).not.toContain('p-error');
    expect(text()).not.toContain('p-other');
  });

  it('writes cyclic and very deep values without hanging, censoring what is too deep to walk', () => {
    const { log, last } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { password: 'p-deepest' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    log.info({ cyclic, deep }, 'odd shapes');
    const line = last();
    expect(JSON.stringify(line)).not.toContain('p-deepest');
    expect((line.cyclic as { name: string }).name).toBe('loop');
  });
});

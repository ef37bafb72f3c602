import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../src/plugin-api/index.ts';

describe('untilAborted', () => {
  it('fails with the signal reason when the signal aborts first, and cancels the work', async () => {
    const controller = new AbortController();
    let cancelled = 0;
    const never = new Promise<string>(() => {});
    const call = untilAborted(
      controller.signal,
      () => cancelled++,
      () => never,
    );
    setTimeout(() => controller.abort(new Error('deadline exceeded')), 20);
    await expect(call).rejects.toThrow('deadline exceeded');
    expect(cancelled).toBe(1);
  });

  it('answers with the work and cancels nothing when the work ends first', async () => {
    const controller = new AbortController();
    let cancelled = 0;
    expect(
      await untilAborted(
        controller.signal,
        () => cancelled++,
        async () => 'done',
      ),
    ).toBe('done');
    controller.abort(new Error('late'));
    expect(cancelled).toBe(0);
  });

  it('does not start the work on a signal that has already aborted', async () => {
    let started = false;
    const call = untilAborted(
      AbortSignal.abort(new Error('too late')),
      () => {},
      async () => {
        started = true;
      },
    );
    await expect(call).rejects.toThrow('too late');
    expect(started).toBe(false);
  });

  it('passes the work error through unchanged', async () => {
    const call = untilAborted(
      new AbortController().signal,
      () => {},
      async () => {
        throw new Error('duplicate user');
      },
    );
    await expect(call).rejects.toThrow('duplicate user');
  });
});

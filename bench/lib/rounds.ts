/**
 * Runs `a` and `b` `rounds` times, alternating which goes first, so drift in machine load hits both alike.
 * Each side may be several processes of the same program (`processes`): round r loads process r % processes of
 * each side, because one process of the same code can run up to 15 % faster or slower than the next for its whole
 * life, and one pair would make the ratio that pair's luck. Every process first gets one unrecorded round: a
 * freshly started process runs its first thousands of requests through V8's interpreter, which is not what a
 * long-running broker (or the reference) does.
 */
export async function interleave<A, B>(
  rounds: number,
  a: (process: number) => Promise<A>,
  b: (process: number) => Promise<B>,
  processes = 1,
): Promise<{ a: A[]; b: B[] }> {
  for (let p = 0; p < processes; p++) {
    await a(p);
    await b(p);
  }
  const out: { a: A[]; b: B[] } = { a: [], b: [] };
  for (let r = 0; r < rounds; r++) {
    const p = r % processes;
    if (r % 2 === 0) {
      out.a.push(await a(p));
      out.b.push(await b(p));
    } else {
      out.b.push(await b(p));
      out.a.push(await a(p));
    }
  }
  return out;
}

/** Calls `fn` while sampling `read()` every 100 ms; returns fn's result and the highest sample. */
export async function withPeak<T>(read: () => number, fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, 100);
  try {
    return { result: await fn(), peak: Math.max(peak, read()) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs `a` and `b` `rounds` times, alternating which goes first, so drift in machine load hits both alike.
 * One unrecorded round of each comes first: a freshly started process runs its first thousands of requests
 * through V8's interpreter, which is not what a long-running broker (or the reference) does.
 */
export async function interleave<A, B>(
  rounds: number,
  a: () => Promise<A>,
  b: () => Promise<B>,
): Promise<{ a: A[]; b: B[] }> {
  await a();
  await b();
  const out: { a: A[]; b: B[] } = { a: [], b: [] };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
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

/**
 * Runs `work` until `signal` aborts. Then `cancel` frees what `work` holds (closes its client) and the call fails at
 * once with the signal's reason, whether or not the client notices: for database clients that take no AbortSignal.
 */
export async function untilAborted<T>(
  signal: AbortSignal | undefined,
  cancel: () => void,
  work: () => Promise<T>,
): Promise<T> {
  if (signal === undefined) return work();
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      cancel();
      reject(signal.reason);
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  const running = work();
  // After an abort its rejection (the closed client's error) is expected and said by nobody.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

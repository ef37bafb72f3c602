import { createServer } from 'node:net';

/**
 * Ports for test servers and child processes come from below Linux's ephemeral range (32768–60999), where neither
 * `listen(0)` nor an outgoing connection's source port lands, so a port freed here is not taken again before the
 * child binds it. Each vitest worker (or other process) walks its own slice, so parallel workers never pick
 * the same port.
 */
const RANGE_START = 20_000;
const SLICES = 16;
const SLICE_SIZE = Math.floor((32_768 - RANGE_START) / SLICES);
const poolId = Number(process.env.VITEST_POOL_ID ?? Number.NaN);
const slice = Number.isInteger(poolId) ? poolId % SLICES : SLICES / 2 + (process.pid % (SLICES / 2));
let cursor = Math.floor(Math.random() * SLICE_SIZE);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on now, in this process' slice. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE_SIZE; tries++) {
    const port = RANGE_START + slice * SLICE_SIZE + (cursor++ % SLICE_SIZE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${RANGE_START + slice * SLICE_SIZE}…${RANGE_START + (slice + 1) * SLICE_SIZE - 1}`);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

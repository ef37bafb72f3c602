/**
 * Test-only fault injection for the kill -9 suite: when OMNIBROKER_CRASH_AT names a point, the process
 * kills itself there with SIGKILL (no cleanup, exactly like a crash). Unset in production: a no-op.
 */
export type CrashPoint = 'after-intent' | 'after-backend-call' | 'after-status-call';

/** Read once: the suite sets it in the child's environment at start, and process.env is slow to read per call. */
const wanted = process.env.OMNIBROKER_CRASH_AT;

export function crashPoint(point: CrashPoint, kind: string): void {
  if (wanted === undefined || wanted === '') return;
  if (wanted === point || wanted === `${point}:${kind}`) process.kill(process.pid, 'SIGKILL');
}

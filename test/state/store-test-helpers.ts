export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
}

/** A logger for the stores that keeps what they said, so tests can assert on warnings. */
export function recordingLog() {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (_obj: object | string, msg?: string) =>
    lines.push({ level, msg: msg ?? '' });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** How long `operation` takes to settle, and its error if it failed. */
export async function timed(operation: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await operation().then(
    () => undefined,
    (err: unknown) => err,
  );
  return { ms: Date.now() - started, error };
}

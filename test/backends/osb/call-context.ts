import type { CallContext, Logger } from '../../../src/plugin-api/index.ts';

/** A logger that keeps every line, so tests can check what was (and was not) logged. */
export function recordingLogger(lines: string[] = []): Logger {
  const write = (obj: object | string, msg?: string) => {
    lines.push(`${typeof obj === 'string' ? obj : JSON.stringify(obj)} ${msg ?? ''}`);
  };
  return { debug: write, info: write, warn: write, error: write, child: () => recordingLogger(lines) };
}

/** A call context as the broker builds one: a deadline signal, a logger, optional identities. */
export function callContext(extra: Partial<CallContext> = {}): CallContext {
  return { signal: AbortSignal.timeout(10_000), log: recordingLogger(), ...extra };
}

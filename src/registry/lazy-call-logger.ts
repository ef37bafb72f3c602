import type { Logger } from '../plugin-api/index.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * A backend call's child logger, created only when a line at an enabled level is written: most calls write
 * none at info, and a pino child (bindings serialised, redaction set up) costs more than the rest of the call's
 * bookkeeping.
 */
export function lazyCallLogger(parent: Logger, bindings: Record<string, unknown>): Logger {
  let real: Logger | undefined;
  const materialize = (): Logger => {
    real ??= parent.child(bindings);
    return real;
  };
  const at =
    (level: Level) =>
    (...line: Parameters<Logger['info']>): void => {
      if (real === undefined && parent.isLevelEnabled?.(level) === false) return;
      materialize()[level](...line);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => materialize().child(more),
    isLevelEnabled: (level) => (real ?? parent).isLevelEnabled?.(level) ?? true,
  };
}

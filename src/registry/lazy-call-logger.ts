import type { Logger } from '../plugin-api/index.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';
type Line = Parameters<Logger['info']>;

/**
 * A backend call's child logger, created only when a line at an enabled level is written: most calls write
 * none at info, and a pino child (bindings serialised) costs more than the rest of the call's bookkeeping.
 * A class, not closures: every backend call makes one.
 */
class LazyCallLogger implements Logger {
  private real: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  private write(level: Level, line: Line): void {
    if (this.real === undefined && this.parent.isLevelEnabled?.(level) === false) return;
    this.materialize()[level](...line);
  }

  private materialize(): Logger {
    this.real ??= this.parent.child(this.bindings);
    return this.real;
  }

  debug(...line: Line): void {
    this.write('debug', line);
  }

  info(...line: Line): void {
    this.write('info', line);
  }

  warn(...line: Line): void {
    this.write('warn', line);
  }

  error(...line: Line): void {
    this.write('error', line);
  }

  child(more: Record<string, unknown>): Logger {
    return this.materialize().child(more);
  }

  isLevelEnabled(level: string): boolean {
    return (this.real ?? this.parent).isLevelEnabled?.(level) ?? true;
  }
}

export function lazyCallLogger(parent: Logger, bindings: Record<string, unknown>): Logger {
  return new LazyCallLogger(parent, bindings);
}

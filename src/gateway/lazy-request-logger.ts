import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArgs = Parameters<FastifyBaseLogger['info']>;
type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

/**
 * A request's logger that creates no pino child (bindings serialised and redacted) for the lines most
 * requests write: successful polls log at debug, so at info they write nothing, and a mutation writes one line,
 * which goes to the parent with the bindings merged in. A child is made only for an Error, route log options,
 * or a caller that asks for one.
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger & { isLevelEnabled(level: string): boolean },
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  private materialize(): FastifyBaseLogger {
    this.real ??= this.parent.child(this.bindings, this.options);
    return this.real;
  }

  private write(level: Level, args: LogArgs): void {
    if (this.real === undefined) {
      if (!this.parent.isLevelEnabled(level)) return;
      const [first, ...rest] = args as unknown[];
      if (Object.keys(this.options ?? {}).length === 0 && !(first instanceof Error)) {
        const withFields = typeof first === 'object' && first !== null;
        const write = this.parent[level] as (...a: unknown[]) => void;
        if (withFields) write.call(this.parent, { ...this.bindings, ...first }, ...rest);
        else write.call(this.parent, this.bindings, ...args);
        return;
      }
    }
    (this.materialize()[level] as (...a: LogArgs) => void)(...args);
  }

  get level(): string {
    return (this.real ?? this.parent).level;
  }
  set level(level: string) {
    this.materialize().level = level;
  }
  fatal(...args: LogArgs): void {
    this.write('fatal', args);
  }
  error(...args: LogArgs): void {
    this.write('error', args);
  }
  warn(...args: LogArgs): void {
    this.write('warn', args);
  }
  info(...args: LogArgs): void {
    this.write('info', args);
  }
  debug(...args: LogArgs): void {
    this.write('debug', args);
  }
  trace(...args: LogArgs): void {
    this.write('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.materialize().child(bindings, options);
  }
}

import { redacted, redactedLine } from './redaction.ts';
import {
  type DestinationStream,
  destination as fileDestination,
  type Logger as PinoLogger,
  pino,
  stdSerializers,
} from 'pino';

export type AppLogger = PinoLogger;

export function createLogger(level: string, destination?: NodeJS.WritableStream): AppLogger {
  const options = {
    level,
    base: { service: 'omnibroker' },
    // Sensitive keys are censored at any depth by one walk of each line (child bindings: below, once per child).
    // pino's own `redact` re-parsed all its paths for every line: most of the logging cost and allocation.
    formatters: { log: (line: Record<string, unknown>) => redactedLine(line, 'err') },
    serializers: { err: (error: unknown) => redacted(stdSerializers.err(error as Error)) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Standard output is written synchronously: pino's default hands every line to a libuv worker thread, which
  // cost more than forming it, and a line written before the next request is a line a crash cannot lose.
  const stream = destination ?? fileDestination({ dest: 1, sync: true });
  const logger = pino(options, stream as DestinationStream);
  // A child is created from its parent's prototype chain, so every descendant's child() is this one; pino applies
  // a bindings formatter to the root's bindings only.
  const createChild = logger.child;
  logger.child = function redactedChild(this: AppLogger, bindings, childOptions) {
    return createChild.call(this, redacted(bindings), childOptions);
  } as typeof logger.child;
  return logger;
}

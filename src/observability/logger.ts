import { type DestinationStream, destination as fileDestination, type Logger as PinoLogger, pino } from 'pino';

export type AppLogger = PinoLogger;

/** Paths redacted from every log line, wherever they appear in logged objects. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  'credentials',
  '*.credentials',
  'secrets',
  '*.secrets',
  'token',
  '*.token',
  'parameters',
  '*.parameters',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): AppLogger {
  const options = {
    level,
    base: { service: 'omnibroker' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Standard output is written synchronously: pino's default hands every line to a libuv worker thread, which
  // cost more than forming it, and a line written before the next request is a line a crash cannot lose.
  const stream = destination ?? fileDestination({ dest: 1, sync: true });
  return pino(options, stream as DestinationStream);
}

import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

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
  return destination === undefined ? pino(options) : pino(options, destination as DestinationStream);
}

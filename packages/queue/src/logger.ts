import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths pino blanks out wherever they appear one level down (config objects, request headers). */
export const REDACTED_PATHS = [
  'apiKey',
  'token',
  'password',
  'authorization',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
];

/**
 * The factory's logger: JSON lines on stdout (or `destination`), level from LOG_LEVEL, secrets
 * redacted. Bind batch, requirement and stage ids with `logger.child({ batch, req, stage })`.
 */
export function createLogger(bindings: Record<string, unknown> = {}, options: LoggerOptions & { destination?: NodeJS.WritableStream | number } = {}): Logger {
  const { destination, ...rest } = options;
  const opts: LoggerOptions = {
    level: process.env['LOG_LEVEL'] ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...rest,
  };
  const logger =
    destination === undefined
      ? pino(opts)
      : pino(opts, typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination);
  return Object.keys(bindings).length > 0 ? logger.child(bindings) : logger;
}

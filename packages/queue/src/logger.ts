import { isatty } from 'node:tty';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { z } from 'zod';
import type PinoPretty from 'pino-pretty';
import { lazyModule } from '@agent-factory/core';

/** Only a person at a terminal gets pretty lines. */
const pretty = lazyModule<typeof PinoPretty>('pino-pretty', import.meta.url);

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
  // Environment-shaped objects (a settings dump) carry the keys under their variable names.
  'ANTHROPIC_API_KEY',
  'CONTEXT7_API_KEY',
  'AF_API_TOKEN',
  'AF_VIEWER_TOKEN',
  'AF_WEBHOOK_SECRET',
  'webhookSecret',
  '*.webhookSecret',
  '*.ANTHROPIC_API_KEY',
  '*.CONTEXT7_API_KEY',
  '*.AF_API_TOKEN',
  '*.AF_VIEWER_TOKEN',
  '*.AF_WEBHOOK_SECRET',
];

/** LOG_LEVEL's values: pino's levels, and silent. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LogLevelSchema = z.enum(LOG_LEVELS, { error: (issue) => `"${String(issue.input)}" is not a level (${LOG_LEVELS.join(', ')})` });
export type LogLevel = z.infer<typeof LogLevelSchema>;

/**
 * LOG_LEVEL, checked: the one reader of it, so every command refuses a bad level the same way (an
 * Error naming the variable, which the CLI reports as a usage error) instead of pino throwing its own.
 * Unset or empty: `fallback`.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: LogLevel = 'info'): LogLevel {
  const raw = env['LOG_LEVEL'];
  if (raw === undefined || raw === '') return fallback;
  const parsed = LogLevelSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`LOG_LEVEL: ${parsed.error.issues[0]?.message ?? 'not a level'}`);
  return parsed.data;
}

/** LOG_FORMAT's values; unset (or empty): pretty at a terminal, else JSON. */
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** Pretty lines for a person at a terminal (LOG_FORMAT=json forces JSON there too); JSON lines for machines. */
function wantsPretty(toTerminal: boolean): boolean {
  const format = process.env['LOG_FORMAT'];
  if (format === 'json') return false;
  return format === 'pretty' || toTerminal;
}

/**
 * pino's error serializer, with a failed Redis command's arguments left out (their count kept):
 * ioredis puts the command on its ReplyError, and its arguments are payloads (a compressed result, a
 * requirement's metrics), kilobytes a line of numbers. Also for the queued commands' errors a failed
 * MULTI carries (previousErrors).
 */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const command = out['command'];
  if (command && typeof command === 'object' && 'args' in command) {
    const { name, args } = command as { name?: unknown; args?: unknown };
    out['command'] = { name, argCount: Array.isArray(args) ? args.length : undefined };
  }
  if (Array.isArray(out['previousErrors'])) out['previousErrors'] = out['previousErrors'].map(serializeError);
  return out;
}

/**
 * The factory's logger: JSON lines on stdout (or `destination`: a stream, or a file descriptor such as
 * 2 for stderr; pretty when stdout or that descriptor is a terminal, or LOG_FORMAT says so), level from
 * LOG_LEVEL, secrets redacted. Bind batch, requirement and stage ids with `logger.child({ batch, req, stage })`.
 */
export function createLogger(bindings: Record<string, unknown> = {}, options: LoggerOptions & { destination?: NodeJS.WritableStream | number } = {}): Logger {
  const { destination, ...rest } = options;
  const opts: LoggerOptions = {
    level: rest.level ?? logLevelFromEnv(process.env),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...rest,
    serializers: { err: serializeError, ...rest.serializers },
  };
  const fd = destination === undefined ? 1 : typeof destination === 'number' ? destination : undefined;
  const terminal = fd !== undefined && isatty(fd);
  const logger =
    fd !== undefined && wantsPretty(terminal)
      ? pino(opts, pretty()({ colorize: terminal, sync: true, destination: fd }))
      : destination === undefined
        ? pino(opts)
        : pino(opts, typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination);
  return Object.keys(bindings).length > 0 ? logger.child(bindings) : logger;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const silent = (): void => undefined;

/**
 * `parent.child(bindings)`, made on first use. Binding a child costs ~20 µs (its redaction set-up):
 * a busy worker would pay it for each of its thousands of jobs a second that never log. A call at a
 * level the parent does not log makes nothing.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = (): Logger => (child ??= parent.child(bindings));
  return new Proxy(parent, {
    get(_parent, property) {
      if (typeof property === 'string' && LEVELS.has(property) && !parent.isLevelEnabled(property)) return silent;
      const logger = made();
      const value: unknown = Reflect.get(logger, property, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set: (_parent, property, value) => Reflect.set(made(), property, value),
  });
}

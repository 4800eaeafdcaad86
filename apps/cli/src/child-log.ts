import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const PINO_LEVEL = /^\{"level":(\d+)/;

/** A pino level name as its number; undefined for anything else. */
export function levelNumber(name: string | undefined): number | undefined {
  return name === undefined ? undefined : LEVELS[name];
}

/** The level of a pino JSON line, or undefined when the line is something else (a child's last words on stderr). */
export function logLevelOf(line: string): number | undefined {
  const match = PINO_LEVEL.exec(line);
  return match ? Number(match[1]) : undefined;
}

/** A pino JSON line as one readable line: `WARN message: error message`. */
export function readableLog(line: string): string {
  try {
    const log = JSON.parse(line) as { level?: number; msg?: unknown; err?: { message?: unknown } };
    const error = typeof log.err?.message === 'string' && log.err.message !== log.msg ? `: ${log.err.message}` : '';
    return `${NAMES[log.level ?? 0] ?? String(log.level)} ${String(log.msg ?? '')}${error}`;
  } catch {
    return line;
  }
}

/** Calls `onLine` with each line a stream writes. */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

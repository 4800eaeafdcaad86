import { UsageError } from './usage-error.js';

/** A `--port` value: 0 (pick a free one) to 65535, or bad usage. */
export function portFlag(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a whole number from 0 to 65535');
  return port;
}

import { UsageError } from './usage-error.js';

/** `text` as a port, 0 (pick a free one) to 65535, or bad usage naming where it came from. */
function portNamed(text: string, name: string): number {
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${name} must be a whole number from 0 to 65535, not "${text}"`);
  return port;
}

/** A `--port` value: 0 (pick a free one) to 65535, or bad usage. */
export function portFlag(text: string): number {
  return portNamed(text, '--port');
}

/** The server's port (serve, up, start): --port, else AF_PORT (empty is unset), else 3000; a bad value names the one it came from. */
export function serverPort(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (flag !== undefined) return portFlag(flag);
  const fromEnv = env['AF_PORT'];
  return fromEnv === undefined || fromEnv === '' ? 3000 : portNamed(fromEnv, 'AF_PORT');
}

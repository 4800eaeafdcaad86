import { connect, type FactoryConnection } from '@agent-factory/queue';
import { pino } from 'pino';
import { loadQueueConfig } from './config.js';

/** pino's JSON lines as one short line each on stderr: stdout is for the command's output, often --json. */
const stderrLines = {
  write(line: string): void {
    const { level, msg } = JSON.parse(line) as { level: number; msg: string };
    process.stderr.write(`agent-factory: ${level >= 50 ? 'error' : level >= 40 ? 'warning' : 'note'}: ${msg}\n`);
  },
};

/** Connects with the environment's queue settings, runs `work`, and always closes, so the process can exit. */
export async function withQueue<T>(work: (conn: FactoryConnection) => Promise<T>): Promise<T> {
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, stderrLines);
  const conn = await connect(loadQueueConfig(), { logger });
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

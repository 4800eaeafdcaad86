// The client entry: a command that only talks to Redis never loads the workers' side (see client.ts).
import { connect, queueConfigFromEnv, type FactoryConnection, type QueueConfig } from '@agent-factory/queue/client';
import { pino } from 'pino';
import { UsageError } from './usage-error.js';

/**
 * The queue settings (REDIS_URL, AF_PREFIX and the rest, see @agent-factory/queue's config), for the
 * commands that talk to Redis; a bad value is a usage error naming the variable.
 */
function loadQueueConfig(env: NodeJS.ProcessEnv = process.env): QueueConfig {
  try {
    return queueConfigFromEnv(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

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

// The client entry: a command that only talks to Redis never loads the workers' side (see client.ts).
import { connect, logLevelFromEnv, queueConfigFromEnv, type FactoryConnection, type QueueConfig } from '@agent-factory/queue/client';
import { pino } from 'pino';
import { UsageError } from './usage-error.js';

/**
 * The queue settings (REDIS_URL, AF_PREFIX and the rest, see @agent-factory/queue's config) and LOG_LEVEL, for the
 * commands that talk to Redis; a bad value is a usage error naming the variable.
 */
function loadQueueConfig(env: NodeJS.ProcessEnv = process.env): { config: QueueConfig; level: string } {
  try {
    // A client command shows warnings and errors unless LOG_LEVEL asks otherwise.
    return { config: queueConfigFromEnv(env), level: logLevelFromEnv(env, 'warn') };
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

/**
 * Connects with the environment's queue settings, runs `work`, and always closes, so the process can exit.
 * `readOnly` for the commands that only read (status, report, results, cache stats): opening the queues then writes nothing.
 */
export async function withQueue<T>(work: (conn: FactoryConnection) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const { config, level } = loadQueueConfig();
  const logger = pino({ level }, stderrLines);
  const conn = await connect(config, { logger, ...options });
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

import { connect, createLogger, logLevelFromEnv, type FactoryConnection, type Logger, type QueueConfig } from '@agent-factory/queue';
import { FactoryUnavailableError } from '../errors.js';

/** How to get Redis, for the message of a batch call that found none. */
const REDIS_HELP =
  'The batch functions need Redis and workers: run `npx agent-factory up` (finds or starts Redis, starts workers and the dashboard), ' +
  'or install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and start workers with `npx agent-factory worker`; ' +
  'set REDIS_URL (or redisUrl) when it is not on 127.0.0.1:6379. One agent at a time needs none of this: generate runs in-process.';

/**
 * One Redis connection opened on first use and shared by every later call. A failed attempt is not
 * remembered, so a call after Redis came up connects.
 */
export class LazyConnection {
  private opening: Promise<FactoryConnection> | undefined;

  constructor(
    private readonly config: () => QueueConfig,
    private readonly logger?: Logger,
  ) {}

  get(): Promise<FactoryConnection> {
    this.opening ??= this.open();
    return this.opening;
  }

  /** Closes the connection if one was opened. */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    await opening?.then((conn) => conn.close(), () => undefined);
  }

  private async open(): Promise<FactoryConnection> {
    const config = this.config();
    // stdout may be a protocol's (the MCP server over stdio): the queue's warnings go to stderr.
    const logger = this.logger ?? createLogger({ component: 'sdk' }, { destination: 2, level: logLevelFromEnv(process.env, 'warn') });
    try {
      return await connect(config, { logger });
    } catch (error) {
      this.opening = undefined;
      throw new FactoryUnavailableError(`${(error as Error).message}. ${REDIS_HELP}`);
    }
  }
}

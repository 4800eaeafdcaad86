import { hostname } from 'node:os';
import { anthropicClient, type AnthropicProvider } from '@agent-factory/llm';
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import { backoffStrategy } from '../backoff.js';
import type { FactoryConnection, RedisClient } from '../connection.js';
import { createLogger, type Logger } from '../logger.js';
import { openRedis, quitClient } from '../redis-client.js';
import { fallbackGroup } from './finish.js';
import { batchModeOptions, type BatchModeOptions, type BatchModeOptionsInput } from './config.js';
import { COLLECTOR_QUEUE, type CollectorContext, type CollectorHooks } from './context.js';
import { runFlush } from './flush.js';
import { runGroup } from './group-job.js';
import { llmBatchKeys, type LlmBatchKeys } from './keys.js';
import { openCollectorQueue } from './queue.js';
import { throttledErrorLog } from '../error-log.js';

export interface BatchCollector {
  readonly options: BatchModeOptions;
  readonly keys: LlmBatchKeys;
  /** The `llm-batches` queue (on the connection's client). */
  readonly queue: Queue;
  /** Makes sure the cluster-wide flush ticker runs (once per process; the scheduler stays in Redis). */
  ensureTicker(): Promise<void>;
  close(): Promise<void>;
}

export interface StartBatchCollectorOptions {
  logger?: Logger;
  workerId?: string;
  /** Over the environment's AF_LLM_BATCH_* settings. */
  options?: BatchModeOptionsInput;
  hooks?: CollectorHooks;
}

/** One collector per connection (so per worker process); the generate stage starts it on first use. */
const collectors = new WeakMap<FactoryConnection, Promise<BatchCollector>>();

/** Results can run to hundreds of megabytes: a long deadline for the collector's own calls. */
const CLIENT_TIMEOUT_MS = 10 * 60_000;

function processor(c: CollectorContext) {
  return async (job: Job, token?: string): Promise<void> => {
    if (job.name === 'flush') return void (await runFlush(c));
    if (job.name === 'group') return runGroup(c, job, token);
    throw new UnrecoverableError(`unknown ${COLLECTOR_QUEUE} job ${job.name}`);
  };
}

async function openCollector(conn: FactoryConnection, llm: AnthropicProvider, start: StartBatchCollectorOptions): Promise<BatchCollector> {
  const { config } = conn;
  const options = batchModeOptions(start.options);
  // `queue`, not `component`: the worker's logger has a component already, and pino would write the key twice.
  const logger = (start.logger ?? createLogger({})).child({ queue: COLLECTOR_QUEUE });
  const queue = openCollectorQueue(conn, options.attempts);
  const { settings } = llm;
  // Retries are the jobs' (logged, backed off).
  const client = await anthropicClient({ apiKey: settings.apiKey, baseURL: settings.baseURL, timeoutMs: CLIENT_TIMEOUT_MS });
  const c: CollectorContext = {
    conn, llm, client, queue, options, logger,
    keys: llmBatchKeys(config.prefix),
    workerId: start.workerId ?? `${hostname()}:${process.pid}`,
    hooks: start.hooks ?? {},
  };
  // One cluster-wide ticker, waiting requests grouped within windowMs + tickMs; set up by the first
  // request in Message Batches mode, so a cluster that never uses it runs no job every second.
  let ticker: Promise<void> | undefined;
  const ensureTicker = (): Promise<void> =>
    (ticker ??= queue
      .upsertJobScheduler('llm-batches-flush', { every: options.tickMs }, { name: 'flush', data: {}, opts: { removeOnComplete: true, removeOnFail: true } })
      .then(
        () => undefined,
        (error: unknown) => {
          ticker = undefined; // tried again by the next request
          throw error;
        },
      ));
  let workerClient: RedisClient | undefined;
  let worker: Worker | undefined;
  try {
    workerClient = await openRedis(config.redisUrl, 'worker', 'agent-factory-llm-batches');
    worker = new Worker(COLLECTOR_QUEUE, processor(c), {
      connection: workerClient,
      prefix: config.prefix,
      name: c.workerId,
      concurrency: options.concurrency,
      lockDuration: config.lockMs,
      stalledInterval: Math.min(30_000, config.lockMs),
      maxStalledCount: 2,
      settings: { backoffStrategy },
    });
    worker.on('failed', (job, error) => {
      if (!job || job.name !== 'group') return;
      const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      const groupId = (job.data as { g?: unknown }).g;
      if (final && typeof groupId === 'string') {
        // The group can no longer be trusted to answer: every request goes realtime.
        void fallbackGroup(c, groupId, `Message Batch group failed: ${error.message}`).catch((e: unknown) => logger.error({ err: e, group: groupId }, 'could not send a failed group realtime'));
      } else {
        logger.warn({ err: error, group: groupId, attempt: job.attemptsMade }, 'Message Batch group job failed; it will be retried');
      }
    });
    worker.on('error', throttledErrorLog(logger, 'collector worker error'));
    await worker.waitUntilReady();
    // Requests left waiting by a restart are grouped without a new one arriving.
    if ((await conn.redis.zcard(c.keys.pending)) + (await conn.redis.zcard(c.keys.forming)) > 0) await ensureTicker();
  } catch (error) {
    await worker?.close(true).catch(() => undefined);
    await queue.close().catch(() => undefined);
    workerClient?.disconnect();
    throw error;
  }
  logger.info({ options }, 'Message Batches collector started');
  let closing: Promise<void> | undefined;
  const running = worker;
  const ownClient = workerClient;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      collectors.delete(conn);
      await running.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await quitClient(ownClient);
    })());
  // The connection's owner closes it last: the collector goes with it.
  conn.redis.once('end', () => void close());
  return { options, keys: c.keys, queue, ensureTicker, close };
}

/**
 * The process's Message Batches collector, started once: a worker of the `llm-batches` queue, and
 * the cluster-wide flush ticker once requests wait for a Message Batch. Worker processes should start it at boot (a restart then resumes polling
 * the groups in flight); the generate stage starts it lazily otherwise. The first call's options win.
 */
export function startBatchCollector(conn: FactoryConnection, llm: AnthropicProvider, start: StartBatchCollectorOptions = {}): Promise<BatchCollector> {
  let running = collectors.get(conn);
  if (!running) {
    running = openCollector(conn, llm, start);
    collectors.set(conn, running);
    // A failed start is tried again by the next job.
    running.catch(() => collectors.delete(conn));
  }
  return running;
}

import { Queue } from 'bullmq';
import type { QueueConfig } from '../config.js';
import type { RedisClient } from '../connection.js';
import { STAGES, type Stage } from '../stages.js';
import { fail, figure, pass, warn, type DoctorCheck } from './check.js';

/** Waiting jobs beyond which a stage counts as backed up. */
export const BACKLOG_WARN = 10_000;
/** Failed jobs kept (of at most KEEP_FAILED) beyond which they deserve a look. */
export const FAILED_WARN = 1_000;
/** Active jobs looked at for a lost lock: enough to see a dead worker's jobs without reading a huge list. */
const STALLED_SAMPLE = 1_000;

export interface QueueFigures {
  /** Ready to run: BullMQ's wait list plus prioritized jobs (every batch job has a priority). */
  waiting: number;
  active: number;
  /** Retries waiting out their backoff. */
  delayed: number;
  failed: number;
  /** Active jobs whose worker's lock is gone: the worker died or blocked its event loop. */
  stalled: number;
  workers: number;
}

async function figuresOf(queue: Queue, client: RedisClient): Promise<QueueFigures> {
  const [counts, workers, activeIds] = await Promise.all([
    queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
    queue.getWorkersCount(),
    queue.getRanges(['active'], 0, STALLED_SAMPLE - 1),
  ]);
  // BullMQ has no stalled count: a job is stalled when it is active and its lock key has expired.
  const locked = activeIds.length > 0 ? await client.exists(...activeIds.map((id) => `${queue.toKey(id)}:lock`)) : 0;
  return {
    waiting: (counts['wait'] ?? 0) + (counts['prioritized'] ?? 0),
    active: counts['active'] ?? 0,
    delayed: counts['delayed'] ?? 0,
    failed: counts['failed'] ?? 0,
    stalled: activeIds.length - locked,
    workers,
  };
}

/** The verdict on one stage queue's figures. */
export function judgeQueue(stage: Stage, f: QueueFigures): DoctorCheck {
  const name = `queue ${stage}`;
  const detail =
    `waiting ${figure(f.waiting)}, active ${figure(f.active)}, delayed ${figure(f.delayed)}, failed ${figure(f.failed)}, stalled ${figure(f.stalled)}; ` +
    `${figure(f.workers)} worker${f.workers === 1 ? '' : 's'}`;
  // Delayed and stalled jobs also need a worker: only a worker promotes or recovers them.
  const pending = f.waiting + f.delayed + f.stalled;
  if (pending > 0 && f.workers === 0) {
    return fail(name, `${detail}: ${figure(pending)} job${pending === 1 ? '' : 's'} and no worker takes ${stage} jobs`, `start a worker for it: agent-factory worker --stages ${stage} (or agent-factory worker for every stage)`);
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (f.waiting > BACKLOG_WARN) {
    problems.push(`backed up (over ${figure(BACKLOG_WARN)} waiting)`);
    fixes.push(`add workers for ${stage}, or raise its AF_CONCURRENCY`);
  }
  if (f.stalled > 0) {
    problems.push(`${figure(f.stalled)} active job${f.stalled === 1 ? '' : 's'} without a worker's lock`);
    fixes.push("a running worker moves stalled jobs back within a lock period; look for crashed workers or a blocked event loop in the workers' logs");
  }
  if (f.failed >= FAILED_WARN) {
    problems.push(`many failed jobs (${figure(FAILED_WARN)} or more)`);
    fixes.push('read their reasons in Bull Board (/admin/queues on agent-factory serve)');
  }
  return problems.length > 0 ? warn(name, `${detail}; ${problems.join('; ')}`, fixes.join('; ')) : pass(name, detail);
}

/**
 * A read-only handle on a stage queue. skipVersionCheck: the Redis checks report version and policy
 * already, and BullMQ would print its own eviction warning once per queue. skipMetasUpdate: a check
 * writes nothing, not even the queue's meta hash, into a Redis that may not be the factory's.
 */
function readQueue(stage: Stage, client: RedisClient, config: QueueConfig): Queue {
  const queue = new Queue(stage, { connection: client, prefix: config.prefix, skipVersionCheck: true, skipMetasUpdate: true });
  // Errors reach the awaited calls; an unhandled 'error' event would end the process instead.
  queue.on('error', () => undefined);
  return queue;
}

/** One check per stage queue under the configured prefix. */
export async function queueChecks(client: RedisClient, config: QueueConfig): Promise<DoctorCheck[]> {
  const queues = STAGES.map((stage) => ({ stage, queue: readQueue(stage, client, config) }));
  try {
    return await Promise.all(queues.map(async ({ stage, queue }) => judgeQueue(stage, await figuresOf(queue, client))));
  } finally {
    // Closes the queues only: BullMQ leaves a client it was given open.
    await Promise.all(queues.map(({ queue }) => queue.close().catch(() => undefined)));
  }
}

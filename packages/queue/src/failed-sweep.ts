import type { FactoryConnection } from './connection.js';
import { stageFailureReason } from './errors.js';
import { batchKeys, failedSweepKey } from './keys.js';
import type { Logger } from './logger.js';
import { every, type Periodic } from './periodic.js';
import { StageJobDataSchema, type StageJobData } from './queues.js';
import { restateStalled } from './stalled-reason.js';
import { STAGES } from './stages.js';

/** A job failed this recently is left to the mark of the worker that failed it. */
const SETTLE_MS = 5_000;
/** How often each worker process sweeps. */
const SWEEP_MS = 15_000;
/** Failed jobs read at once, and pages per stage and round (a failure storm's backlog goes in a few rounds). */
const PAGE = 500;
const MAX_PAGES = 20;

/** Ends an item as failed (a no-op when it has ended already); throws when Redis is away or full. */
export type MarkFailed = (data: StageJobData, reason: string) => Promise<void>;

interface FailedJob {
  id: string;
  data: StageJobData;
  /** BullMQ's failedReason, and ours (stageFailureReason). */
  raw: string;
  reason: string;
}

/** The failed jobs' data and reasons (jobs gone meanwhile, or not ours, are left out). */
async function readFailed(conn: FactoryConnection, stage: (typeof STAGES)[number], ids: readonly string[]): Promise<FailedJob[]> {
  const queue = conn.queues[stage];
  const pipeline = conn.redis.pipeline();
  for (const id of ids) pipeline.hmget(queue.toKey(id), 'data', 'failedReason', 'stc');
  const replies = (await pipeline.exec()) ?? [];
  const jobs: FailedJob[] = [];
  for (const [i, [error, reply]] of replies.entries()) {
    const [data, reason, stalls] = (error ? [] : reply) as (string | null)[];
    if (!data) continue;
    let parsed;
    try {
      parsed = StageJobDataSchema.safeParse(JSON.parse(data));
    } catch {
      continue;
    }
    const raw = reason || 'the job failed';
    if (parsed.success) jobs.push({ id: ids[i]!, data: parsed.data, raw, reason: stageFailureReason(stage, parsed.data.b, raw, Number(stalls ?? 0)) });
  }
  return jobs;
}

/** Of these jobs, those whose item has no result yet in a batch that is neither gone nor cancelled. */
async function stillPending(conn: FactoryConnection, jobs: readonly FailedJob[]): Promise<FailedJob[]> {
  const pipeline = conn.redis.pipeline();
  for (const { data } of jobs) {
    const keys = batchKeys(conn.config.prefix, data.b);
    pipeline.hexists(keys.results, data.k);
    pipeline.hget(keys.batch, 'state');
  }
  const replies = (await pipeline.exec()) ?? [];
  return jobs.filter((_, i) => {
    const [hasResult, state] = [replies[2 * i]?.[1], replies[2 * i + 1]?.[1]];
    // A cancelled batch's pending items are the cancel's to end.
    return hasResult === 0 && typeof state === 'string' && state !== 'cancelled';
  });
}

/**
 * A stage job fails for good only after its item is marked failed (stage-worker.ts), but the mark can
 * miss: Redis was away or full at that instant, or the process died between a stalled job's failure
 * and its handler. The item would then stay pending with no job left, and its batch never end. So
 * each round reads, per stage, the jobs the queue failed since the last round (its failed set is
 * scored by when) and ends as failed, with the job's reason, the items still pending. Every worker
 * sweeps; the mark is exactly-once (the finalize script), so two sweeps at once do no harm.
 */
export async function sweepFailedJobs(conn: FactoryConnection, markFailed: MarkFailed, now = Date.now()): Promise<number> {
  const cursorKey = failedSweepKey(conn.config.prefix);
  let ended = 0;
  for (const stage of STAGES) {
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const from = Number((await conn.redis.hget(cursorKey, stage)) ?? 0);
      const page = await conn.redis.zrangebyscore(conn.queues[stage].toKey('failed'), `(${from}`, now - SETTLE_MS, 'WITHSCORES', 'LIMIT', 0, PAGE);
      if (page.length === 0) break;
      const ids = page.filter((_, i) => i % 2 === 0);
      const failed = await readFailed(conn, stage, ids);
      // Every job of the page, pending item or not: the worker that failed it may have died before saying it plainly.
      for (const job of failed) await restateStalled(conn, stage, job.id, job.raw, job.reason);
      const pending = await stillPending(conn, failed);
      for (const { data, reason } of pending) await markFailed(data, reason);
      ended += pending.length;
      const last = Number(page[page.length - 1]);
      // A full page may end amid jobs failed in the same millisecond: the next page reads that one again.
      await conn.redis.hset(cursorKey, stage, ids.length === PAGE ? last - 1 : last);
      if (ids.length < PAGE) break;
    }
  }
  return ended;
}

/** Sweeps every SWEEP_MS, and once soon after start (a crash's orphans are found without a wait). */
export function watchFailedJobs(conn: FactoryConnection, markFailed: MarkFailed, logger: Logger): Periodic {
  const round = (): Promise<void> =>
    sweepFailedJobs(conn, markFailed).then(
      (ended) => {
        if (ended > 0) logger.warn({ ended }, 'ended as failed the requirements whose failed jobs had not marked them');
      },
      (error: unknown) => logger.debug({ err: error }, 'could not sweep the failed jobs; the next round will'),
    );
  return every(SWEEP_MS, round, SETTLE_MS);
}

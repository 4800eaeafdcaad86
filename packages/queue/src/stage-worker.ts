import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { EMPTY_RESEARCH, offlineProvider, planRequirement, providerRetriesOf, validateAgent, validationContext, type DocsSource, type LlmProvider, type PipelineOptions } from '@agent-factory/core';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { backoffStrategy } from './backoff.js';
import type { SharedCache } from './cache.js';
import { subscribeCancels, sweepCancelled, type CancelSubscription } from './cancel.js';
import { DEFAULT_CONCURRENCY } from './config.js';
import type { FactoryConnection, RedisClient } from './connection.js';
import { CancelledError, describeError, isPermanentError, ParkedError, PermanentError, stageFailureReason } from './errors.js';
import { cancelWithSpend, chargeCancelled, chargeTakenDrafts, heldDrafts } from './cancelled-spend.js';
import { isAnthropicProvider } from './batch-mode/mode.js';
import { loadItem, type LoadedItem } from './items.js';
import { markFailed } from './mark-failed.js';
import { watchFailedJobs } from './failed-sweep.js';
import { every } from './periodic.js';
import { restateStalled } from './stalled-reason.js';
import { generatorFingerprint } from './generator-fingerprint.js';
import { watchMetricsInbox } from './metrics/fold.js';
import type { PromMetrics } from './metrics/prometheus.js';
import { MetricsRecorder } from './metrics/recorder.js';
import { RateLimitedError } from './limiter-error.js';
import { RateLimiter } from './limiter.js';
import { createLogger, lazyChild, type Logger } from './logger.js';
import { analyzeStage } from './processors/analyze.js';
import { readOutput, type StageContext, type StageHandler } from './processors/context.js';
import { generateStage, type GenerateWork } from './processors/generate.js';
import type { StageOutputs } from './processors/outputs.js';
import { researchStage } from './processors/research.js';
import { validateStage } from './processors/validate.js';
import { keptCompleted, StageJobDataSchema, stageJobId, type StageJobData } from './queues.js';
import { openRedis, quitClient } from './redis-client.js';
import type { Stage } from './stages.js';
import { watchSubmissions } from './submit-watch.js';
import { markStageSpan } from './tracing.js';
import { startWebhookDelivery } from './webhooks/worker.js';
import { throttledErrorLog } from './error-log.js';
import { RedisWriteGate } from './redis-write-gate.js';

export interface WorkerDeps {
  llm?: LlmProvider;
  docs?: DocsSource;
  /** The shared cache (its own type: finished agents go in already packed, packedWrite). */
  cache?: SharedCache;
  pipeline?: PipelineOptions;
  /**
   * The cluster-wide limiter of provider requests; by default one is made when the configuration
   * has limits (AF_RATE_LIMIT) or the provider is anthropic (429 pauses and the API's own limits apply).
   */
  limiter?: RateLimiter;
}

export interface WorkerPool {
  /** Stops taking jobs, lets in-flight ones finish within the grace period, closes its connections. */
  close(graceMs?: number): Promise<void>;
}

export interface StartWorkersOptions {
  stages: readonly Stage[];
  concurrency: Partial<Record<Stage, number>>;
  deps: WorkerDeps;
  logger?: Logger;
  /** Recorded on generated items and shown in Bull Board; default host:pid. */
  workerId?: string;
  /** The process's Prometheus series, when it serves /metrics. */
  prom?: PromMetrics;
}

/** A job this process is running, by job id: its worker (to abort it) and its batch. */
interface RunningJob {
  worker: Worker;
  batch: string;
  /** Already told to abort. */
  aborted?: boolean;
}

const HANDLERS: Record<Stage, StageHandler> = { analyze: analyzeStage, research: researchStage, generate: generateStage, validate: validateStage };

/** Abort reasons: a cancelled batch ends the job quietly; a shutdown retries it elsewhere. */
const CANCEL_REASON = 'batch cancelled';
const SHUTDOWN_REASON = 'worker shutting down';
/**
 * Rate-limit pauses one job may take without spending an attempt. A limit that lets the job through
 * takes a few; one that never does (a request larger than a minute's input tokens) would pause every
 * worker forever: past this, each 429 spends an attempt, and the job fails with the API's words.
 */
export const RATE_LIMITED_RUNS = 10;

/**
 * BullMQ checks the queue's rate-limit key only when a worker has a limiter; this one never limits by
 * itself. It is also set as the queue's own (meta) limit, so that readers of the limit (Bull Board's
 * "rate limited" badge) compare the key's count with it, and show a limit only while
 * queue.rateLimit() holds one, not the counter's one-second window that every fetch renews.
 */
const FETCH_LIMITER = { max: 1_000_000_000, duration: 1000 };

/** A limiter when the configuration sets limits or the provider is one that answers 429s. */
function defaultLimiter(conn: FactoryConnection, llm: LlmProvider): RateLimiter | undefined {
  const limits = conn.config.rateLimit;
  if (!limits && llm.name !== 'anthropic') return undefined;
  // A batch's usage hash goes with its other keys: its retention after the last request.
  return new RateLimiter({ redis: conn.redis, prefix: conn.config.prefix, usageTtlSeconds: conn.config.retentionSeconds, ...(limits ? { limits } : {}) });
}

/**
 * Times a job's worker may stop (crash, lose Redis or its lock) and the job still run again: as many
 * as its attempts allow other failures (AF_ATTEMPTS), at least 2 (a crash plus a slow restart).
 * Bounded, so a requirement that kills every worker running it (out of memory) ends failed instead
 * of crash-looping the cluster.
 */
function stallsAllowed(attempts: number): number {
  return Math.max(2, attempts - 1);
}

/** Earlier runs of a job that did not finish it: failed attempts, and runs whose worker stopped (stalled, run again). */
const earlierRuns = (job: Job): number => job.attemptsMade + job.stalledCounter;

/** How often a worker process counts the drafts a cancel took and did not count itself (cancelled-spend.ts). */
const TAKEN_DRAFTS_MS = 15_000;

/** Grace period of close() when the caller gives none. */
export const DEFAULT_GRACE_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** What else than the requirement shapes an agent file (the generator's code too), so a cached agent is reused only when it would be the same. */
function agentCacheSuffix(deps: WorkerDeps, llm: LlmProvider): string {
  return createHash('sha256')
    .update(JSON.stringify([generatorFingerprint(), llm.name, deps.docs?.name ?? null, deps.pipeline ?? {}]))
    .digest('hex')
    .slice(0, 12);
}

/** Logs a failure mark that did not land: the failed-jobs sweep (failed-sweep.ts) ends the item later. */
function markMissed(logger: Logger, reason: string): (error: unknown) => void {
  return (error) => logger.error({ err: error, reason }, 'could not mark the requirement failed; the failed-jobs sweep will');
}

/**
 * Back to the queue without spending an attempt, for this or another worker to run again (after
 * `delayMs`). Through the delayed set, not BullMQ's RateLimitError: a prioritized job (ours all are)
 * moved straight back to wait leaves no marker, so workers blocked on the queue would sleep out their
 * drainDelay (5 s) before they saw it; a delayed job's marker wakes them when it is due.
 */
async function backToQueue(job: Job, token: string | undefined, why: string, delayMs = 0): Promise<never> {
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError(why);
}

/**
 * The item's state and the record fields the stage needs (the handler's own, and inputs its job does
 * not carry), when it needs any; with the inputs resolved. Undefined when the job is moot (the item
 * is final, or its batch gone or cancelled: the item is then ended as cancelled, its drafts' bill counted).
 */
async function prepare(ctx: StageContext, handler: StageHandler, data: StageJobData, logger: Logger): Promise<{ item?: LoadedItem; inputs: Partial<StageOutputs> } | undefined> {
  const inputs: Partial<StageOutputs> = { ...data.o };
  const missing = handler.inputs(data).filter((name) => inputs[name] === undefined);
  const fields = [...(handler.recordFields?.(data, ctx) ?? []), ...missing];
  if (fields.length === 0) return { inputs };
  const item = await loadItem(ctx.conn, data, fields, handler.claim?.(ctx, data));
  if (item.batchGone) return undefined;
  if (item.final) {
    // A job enqueued by one running as its batch's cancel ended the item (the cancel could not remove it) counts the drafts it holds.
    if (item.batchState === 'cancelled') await chargeCancelled(ctx, data, heldDrafts(data, inputs), logger);
    return undefined;
  }
  // Unfinished without a record: its data is gone, so it can only fail (never stay pending).
  if (!item.hasRecord) throw new PermanentError('the requirement\'s record is missing from Redis');
  if (item.batchState === 'cancelled') {
    await cancelWithSpend(ctx, data, heldDrafts(data, inputs), logger);
    return undefined;
  }
  for (const name of missing) Object.assign(inputs, { [name]: readOutput(item, name) });
  return { item, inputs };
}

/** One stage's processor: the item's gates when the stage reads it (final, gone, cancelled), the stage's work, and the failure policy. */
function processorFor(stage: Stage, ctx: StageContext, active: Map<string, RunningJob>, cancelled: ReadonlySet<string>, getWorker: () => Worker, limiter?: RateLimiter) {
  const handler = HANDLERS[stage];
  const gate = ctx.writeGate;
  // Three parameters: BullMQ then passes the abort signal that cancelJob() fires.
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<void> => {
    const parsed = StageJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`${stage}: ${describeError(parsed.error)}`);
    const data = parsed.data;
    if (ctx.conn.telemetry) markStageSpan(stage, data);
    const logger = lazyChild(ctx.logger, { batch: data.b, req: data.k, stage, job: job.id });
    const id = job.id ?? stageJobId(stage, data);
    // A job of a batch this process heard cancelled (a stage that finished just after the cancel
    // queued it) ends at once, whether or not its stage reads the batch's state from Redis.
    if (cancelled.has(data.b)) {
      await cancelWithSpend(ctx, data, heldDrafts(data, data.o ?? {}), logger);
      return;
    }
    active.set(id, { worker: getWorker(), batch: data.b });
    // The drafts the job holds, for its bill should its batch be cancelled.
    let inputs: Partial<StageOutputs> = data.o ?? {};
    try {
      const prepared = await prepare(ctx, handler, data, logger);
      if (!prepared) return;
      inputs = prepared.inputs;
      const timing = { wait: Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp), retries: earlierRuns(job), enqueuedAt: job.timestamp };
      const work: GenerateWork = {
        data,
        ...prepared,
        priority: job.opts.priority ?? 1,
        timing,
        rerun: earlierRuns(job) > 0,
        ...(signal ? { signal } : {}),
        logger,
      };
      if (stage === 'generate') {
        work.reportProgress = (progress) => job.updateProgress(progress);
        if (limiter) work.limiter = limiter;
      }
      await handler.run(ctx, work);
    } catch (error) {
      if (error instanceof ParkedError) {
        // Waiting for another item's work (agent-claim.ts): back later, no attempt spent, the parks counted in the job.
        await job.updateData({ ...data, w: (data.w ?? 0) + 1 });
        logger.debug({ delayMs: error.delayMs, parks: (data.w ?? 0) + 1 }, error.message);
        return backToQueue(job, token, `${stage}: ${error.message}`, error.delayMs);
      }
      if (signal?.aborted) {
        if (signal.reason === CANCEL_REASON) {
          logger.info('job aborted: its batch was cancelled');
          await cancelWithSpend(ctx, data, heldDrafts(data, inputs, error instanceof CancelledError ? error.draft : undefined), logger).catch(() => undefined);
          return;
        }
        // Shutting down: back to the queue, for a live worker to take.
        return backToQueue(job, token, `${stage}: ${SHUTDOWN_REASON}`);
      }
      // Redis refused a write, full or unable to save (the stage's own, or its next job's): not the stage's fault.
      const whenRoom = async (): Promise<never> => {
        await gate.whenOpen();
        return backToQueue(job, token, `${stage}: Redis refused writes`);
      };
      if (gate.noticed(error)) return whenRoom();
      // Provider retries of a run that goes back to the queue would be lost with it: the job keeps their count.
      const providerRetries = providerRetriesOf(error);
      if (providerRetries > 0) await job.updateData({ ...data, r: (data.r ?? 0) + providerRetries }).catch(() => undefined);
      const limited = error instanceof RateLimitedError ? (data.l ?? 0) + 1 : 0;
      if (error instanceof RateLimitedError && limited <= RATE_LIMITED_RUNS) {
        // Back to the queue without spending an attempt; the queue's limiter key stops every worker's fetching meanwhile.
        await job.updateData({ ...data, r: (data.r ?? 0) + providerRetries, l: limited }).catch(() => undefined);
        await ctx.conn.queues[stage].rateLimit(error.retryInMs);
        logger.warn({ retryInMs: error.retryInMs, rateLimited: limited }, error.message);
        return backToQueue(job, token, `${stage}: ${error.message}`, error.retryInMs);
      }
      // A job rate-limited again and again (a request no minute's limit admits) spends its attempts like any transient error.
      const reason = `${stage}: ${limited > 0 ? `rate limited ${limited} times: ` : ''}${describeError(error)}`;
      // The item is marked before its job fails for good; should Redis refuse the mark, the run waits and comes back.
      const fail = (why: string): Promise<void> =>
        // Its retries: the provider's (earlier runs' and this one's) and the stage job's earlier runs.
        markFailed(ctx, data, why, logger, (data.r ?? 0) + providerRetries + earlierRuns(job)).catch((missed: unknown) => (gate.noticed(missed) ? whenRoom() : markMissed(logger, why)(missed)));
      if (isPermanentError(error)) {
        await fail(reason);
        throw new UnrecoverableError(reason);
      }
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) await fail(`${reason} (after ${attempts} attempts)`);
      else logger.warn({ err: error, attempt: job.attemptsMade + 1, attempts }, 'stage failed; it will be retried');
      throw error;
    } finally {
      active.delete(id);
    }
  };
}

/**
 * Loads now what a process's first job would load lazily (the tokenizer, templates, YAML parser):
 * about 0.3 s of CPU, seconds on a loaded machine, that would otherwise block the event loop while
 * the first jobs hold their locks. When that outlasts the lock (AF_LOCK_MS may be as short as 500 ms),
 * every job the process holds loses its lock and runs a second time elsewhere while it still runs
 * here (a second provider call for each generation in flight).
 */
async function warmUp(): Promise<void> {
  const plan = planRequirement({ requirement: 'Review pull requests for common mistakes' });
  const draft = await offlineProvider.generate({ ...plan, research: EMPTY_RESEARCH });
  await validateAgent(draft.content, validationContext(plan));
}

/** Starts BullMQ workers for the chosen stages in this process, with per-stage concurrency. */
export async function startWorkers(conn: FactoryConnection, options: StartWorkersOptions): Promise<WorkerPool> {
  const { config } = conn;
  const logger = options.logger ?? createLogger({ component: 'worker' });
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  const llm = options.deps.llm ?? offlineProvider;
  const workers: Worker[] = [];
  const gate = new RedisWriteGate(conn, () => workers, logger);
  const ctx: StageContext = {
    conn,
    llm,
    ...(options.deps.docs ? { docs: options.deps.docs } : {}),
    ...(options.deps.cache ? { cache: options.deps.cache } : {}),
    pipeline: options.deps.pipeline ?? {},
    workerId,
    agentCacheSuffix: agentCacheSuffix(options.deps, llm),
    metrics: new MetricsRecorder(conn, options.prom),
    ...(isAnthropicProvider(llm) && llm.settings.prices ? { prices: llm.settings.prices } : {}),
    logger,
    writeGate: gate,
  };
  await warmUp();
  // The workers' own client (BullMQ adds one blocking connection per worker) and the cancel listener.
  const client: RedisClient = await openRedis(config.redisUrl, 'worker', `agent-factory-worker`);
  const active = new Map<string, RunningJob>();
  const limiter = options.stages.includes('generate') ? (options.deps.limiter ?? defaultLimiter(conn, llm)) : undefined;
  options.prom?.watchPauses({ writeGate: () => gate.pausedFor, ...(limiter ? { rateLimitPauseMs: () => limiter.pausedForMs() } : {}) });
  let cancels: CancelSubscription | undefined;
  /** Batches this process heard cancelled: their jobs still queued end without running. */
  const cancelled = new Set<string>();
  /** Aborts this process's running jobs of a cancelled batch, each once (the message and the sweep may both tell). */
  const abortBatch = (batch: string): void => {
    // Bounded: dropped whole now and then (the batch's own state still stops its jobs, later).
    if (cancelled.size >= 1000) cancelled.clear();
    cancelled.add(batch);
    let aborted = 0;
    for (const [jobId, job] of active) {
      if (job.batch !== batch || job.aborted) continue;
      job.aborted = job.worker.cancelJob(jobId, CANCEL_REASON);
      if (job.aborted) aborted++;
    }
    if (aborted > 0) logger.info({ batch, aborted }, 'aborted running jobs of a cancelled batch');
  };
  let webhooks: { close(): Promise<void> } | undefined;
  try {
    cancels = await subscribeCancels(config.redisUrl, config.prefix, abortBatch, logger);
    if (limiter) await conn.queues.generate.setGlobalRateLimit(FETCH_LIMITER.max, FETCH_LIMITER.duration);
    for (const stage of [...new Set(options.stages)]) {
      let worker: Worker | undefined;
      worker = new Worker(stage, processorFor(stage, ctx, active, cancelled, () => worker!, limiter), {
        connection: client,
        prefix: config.prefix,
        name: workerId,
        concurrency: options.concurrency[stage] ?? DEFAULT_CONCURRENCY[stage],
        lockDuration: config.lockMs,
        stalledInterval: Math.min(30_000, config.lockMs),
        maxStalledCount: stallsAllowed(config.attempts),
        // The item's result is the truth: only the latest completed jobs stay (AF_KEEP_COMPLETED), for Bull Board to show what just ran.
        removeOnComplete: keptCompleted(config),
        settings: { backoffStrategy },
        ...(conn.telemetry ? { telemetry: conn.telemetry } : {}),
        // A nominal limit that is never reached: it makes BullMQ honour queue.rateLimit() on every worker of the stage.
        ...(stage === 'generate' && limiter ? { limiter: FETCH_LIMITER } : {}),
      });
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.finishedOn !== undefined || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
        const data = StageJobDataSchema.safeParse(job.data);
        // Exhausted attempts or stalled too often: the item ends failed (a no-op when already marked).
        if (!final || !data.success) return;
        const reason = stageFailureReason(stage, data.data.b, error.message, job.stalledCounter);
        const jobLogger = logger.child({ batch: data.data.b, req: data.data.k, stage });
        // Bull Board's reason first: once the item is marked (its batch may end), the job says the same.
        void restateStalled(conn, stage, job.id ?? stageJobId(stage, data.data), error.message, reason)
          .catch((missed: unknown) => jobLogger.debug({ err: missed }, 'could not restate the stalled job\'s reason; the failed-jobs sweep will'))
          .then(() => markFailed(ctx, data.data, reason, jobLogger, (data.data.r ?? 0) + Math.max(0, earlierRuns(job) - 1)))
          .catch(markMissed(jobLogger, reason));
      });
      const logError = throttledErrorLog(logger, 'worker error', { stage });
      // BullMQ's own steps (fetching, finishing) meet a refusing Redis first: they close the gate too.
      worker.on('error', (error) => void (gate.noticed(error) || logError(error)));
      workers.push(worker);
    }
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    webhooks = await startWebhookDelivery(conn, client, logger, workerId);
  } catch (error) {
    await Promise.all(workers.map((w) => w.close(true).catch(() => undefined)));
    await cancels?.close();
    client.disconnect();
    throw error;
  }
  logger.info({ stages: options.stages, workerId, ...(limiter ? { rateLimit: limiter.limits() } : {}) }, 'workers started');
  // Batches whose producer died mid-submit end interrupted even when nobody reads their status.
  const submissions = watchSubmissions(conn, logger);
  const metricsInbox = watchMetricsInbox(conn.redis, config.prefix, (error) => void (gate.noticed(error) || logger.warn({ err: error }, 'could not fold the metrics inbox; the next round or a reader will')));
  const cancelSweep = sweepCancelled(conn, () => [...new Set([...active.values()].map((j) => j.batch))], abortBatch, logger);
  const failedSweep = watchFailedJobs(conn, (data, reason) => markFailed(ctx, data, reason, logger.child({ batch: data.b, req: data.k })), logger);
  // What a canceller that stopped before counting the drafts it took left (its own drain counts them otherwise).
  const takenDrafts = every(TAKEN_DRAFTS_MS, () => chargeTakenDrafts(ctx, logger).catch((error: unknown) => void (gate.noticed(error) || logger.warn({ err: error }, 'could not count the billed drafts of cancelled requirements; the next round will'))));

  let closing: Promise<void> | undefined;
  return {
    close(graceMs = DEFAULT_GRACE_MS) {
      closing ??= (async () => {
        gate.stop();
        await submissions.close();
        const finished = Promise.all(workers.map((w) => w.close().catch(() => undefined)));
        const timedOut = await Promise.race([finished.then(() => false), sleep(graceMs).then(() => true)]);
        if (timedOut) {
          logger.warn({ running: active.size }, 'grace period over: aborting running jobs (they run again elsewhere)');
          for (const w of workers) w.cancelAllJobs(SHUTDOWN_REASON);
          await Promise.race([finished, sleep(2000)]);
        }
        await cancels?.close();
        await cancelSweep.close();
        await failedSweep.close();
        await takenDrafts.close();
        await metricsInbox.close();
        await webhooks?.close();
        await quitClient(client);
        logger.info('workers stopped');
      })();
      return closing;
    },
  };
}

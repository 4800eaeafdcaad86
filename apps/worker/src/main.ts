import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION, offlineProvider, type LlmProvider } from '@agent-factory/core';
import { createAnthropicProvider } from '@agent-factory/llm';
import { CachedDocsSource, connect, createLogger, isAnthropicProvider, PromMetrics, researchCacheOptions, SharedCache, startBatchCollector, startWorkers, type Logger, type Stage, type WorkerDeps, type WorkerPool } from '@agent-factory/queue';
import { startTracing } from '@agent-factory/telemetry';
import { delayedProvider } from './delayed-provider.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { createResearchSetup, researchSetupOptions } from './research-setup.js';
import { workerSettings, type WorkerSettings } from './worker-settings.js';

export { createResearchSetup, researchSetupOptions, type ResearchSetup } from './research-setup.js';
export { delayedProvider } from './delayed-provider.js';
export { workerSettings, WorkerSettingsError, type WorkerSettings } from './worker-settings.js';

export interface RunWorkerOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** `analyze,research,…`; overrides AF_STAGES. */
  stages?: string;
  /** `generate=16,…`; merged over AF_CONCURRENCY. */
  concurrency?: string;
  /** Replaces the wiring from the environment (a provider, a cache…). */
  deps?: WorkerDeps;
  logger?: Logger;
}

export interface RunningWorker {
  settings: WorkerSettings;
  /** Stops taking jobs, waits for running ones up to the grace period, closes every connection. */
  stop(graceMs?: number): Promise<void>;
}

/** The provider the settings name; policy corrections go to the worker's log (retries go to each job's: processors/generate.ts). */
function generationProvider(settings: WorkerSettings, logger: Logger): LlmProvider {
  if (settings.llm.provider === 'offline') return offlineProvider;
  const provider = createAnthropicProvider({
    ...settings.llm.anthropic,
    onClamp: (changes, model) => logger.info({ model, changes }, 'model answer clamped to the tools policy'),
    onUnpriced: (model) => logger.warn({ model }, 'no price for this generation model: the answer is kept, its cost unknown (AF_PRICES)'),
  });
  for (const p of provider.prefixes()) {
    if (!p.cacheable) logger.warn(p, 'the prompt prefix is below this model\'s cache minimum: no prompt caching');
  }
  return provider;
}

/** Starts one worker process's pool: connects, wires the pipeline's dependencies, runs the chosen stages. */
export async function runWorker(options: RunWorkerOptions = {}): Promise<RunningWorker> {
  const env = options.env ?? process.env;
  const settings = workerSettings(env, { ...(options.stages ? { stages: options.stages } : {}), ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
  const logger = options.logger ?? createLogger({ component: 'worker' }, { level: settings.logLevel });
  const research = createResearchSetup(researchSetupOptions(settings));
  const provider = generationProvider(settings, logger);
  const llm = settings.generateDelayMs > 0 ? delayedProvider(provider, settings.generateDelayMs) : provider;
  // One trace per requirement across its stage jobs, when an OTLP endpoint is set.
  const tracing = await startTracing({ traces: settings.traces, serviceName: 'agent-factory-worker', serviceVersion: GENERATOR_VERSION });
  const conn = await connect(settings.queue, { role: 'worker', logger, ...(tracing ? { telemetry: tracing.telemetry } : {}) }).catch(async (error: unknown) => {
    await tracing?.shutdown();
    throw error;
  });
  // The shared cache: docs answers once per (library, topic) across the cluster, finished agents reused.
  const researchCache = researchCacheOptions(settings.researchSettings);
  const ttlSeconds = { ...researchCache.ttlSeconds, agents: settings.cacheSettings.agentsTtlSeconds };
  const cache = settings.cache ? new SharedCache({ redis: conn.redis, prefix: settings.queue.prefix, ...researchCache, ttlSeconds }) : undefined;
  const deps: WorkerDeps = {
    llm,
    ...(research.docs ? { docs: cache ? new CachedDocsSource(research.docs, cache) : research.docs } : {}),
    ...(cache ? { cache } : {}),
    // AF_AGENT_MODELS is a pipeline option, so it is also part of the analysis and agents cache keys.
    pipeline: { researchBudget: settings.researchSettings.budgetTokens, ...(Object.keys(settings.agentModels).length > 0 ? { models: settings.agentModels } : {}), ...(research.extraLibraries.length > 0 ? { extraLibraries: research.extraLibraries } : {}) },
    ...options.deps,
  };
  const { metricsPort, metricsHost } = settings.observability;
  const prom = metricsPort !== undefined ? new PromMetrics(conn) : undefined;
  let metrics: MetricsServer | undefined;
  const release = async (): Promise<void> => {
    // Each step runs whatever became of the one before: a last write Redis refuses (full, or gone)
    // must not leave the connections open and the stopped process alive.
    const steps: [string, () => Promise<unknown> | undefined][] = [
      ['could not stop the metrics listener', () => metrics?.close()],
      ['could not save the last cache counters', () => cache?.close()],
      ['could not close the Redis connections', () => conn.close()],
      ['could not close the docs source', () => research.docs?.close?.()],
      // Last: the spans of the jobs that just finished go out before the process exits.
      ['could not export the last traces', () => tracing?.shutdown()],
    ];
    for (const [failure, step] of steps) await Promise.resolve().then(step).catch((error: unknown) => logger.warn({ err: error }, failure));
  };
  let pool: WorkerPool | undefined;
  try {
    pool = await startWorkers(conn, { stages: settings.stages, concurrency: settings.concurrency, deps, logger, ...(prom ? { prom } : {}) });
    if (prom && metricsPort !== undefined) metrics = await serveMetrics(prom, metricsPort, metricsHost);
    // At boot, not on first use: after a restart the Message Batches in flight are polled again
    // even when no new batch-mode request arrives.
    if (settings.stages.includes('generate') && deps.llm && isAnthropicProvider(deps.llm)) await startBatchCollector(conn, deps.llm, { logger, options: settings.batchMode });
  } catch (error) {
    // e.g. the metrics port is taken: the pool, if it started, goes first.
    await pool?.close(0);
    await release();
    throw error;
  }
  logger.info(
    {
      stages: settings.stages, concurrency: settings.concurrency, prefix: settings.queue.prefix, provider: llm.name,
      ...(settings.queue.rateLimit ? { rateLimit: settings.queue.rateLimit } : {}), ...(metrics ? { metrics: metrics.url } : {}),
      // The collector's origin only: a URL may carry credentials.
      ...(settings.traces ? { traces: `${new URL(settings.traces.url).origin} (${settings.traces.protocol})` } : {}),
    },
    'worker ready',
  );
  let stopping: Promise<void> | undefined;
  return {
    settings,
    stop(graceMs = settings.graceMs) {
      stopping ??= (async () => {
        await pool.close(graceMs);
        await release();
      })();
      return stopping;
    },
  };
}

/** Runs a worker until SIGTERM or SIGINT, then shuts it down gracefully. */
export async function runWorkerUntilSignal(options: RunWorkerOptions = {}): Promise<void> {
  const worker = await runWorker(options);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const logger = options.logger ?? createLogger({ component: 'worker' });
  logger.info({ signal }, 'stopping: finishing running jobs');
  try {
    // Closing writes to Redis (job states, QUIT); a Redis that is down would hold the stop until it
    // returns, minutes later. Past the grace period and a margin, the worker exits anyway: what it
    // was running returns to the queue when its locks run out.
    const limit = worker.settings.graceMs + STOP_MARGIN_MS;
    const stuck = new Promise<true>((resolve) => setTimeout(resolve, limit, true).unref());
    if ((await Promise.race([worker.stop(), stuck])) === true) {
      logger.warn({ waitedMs: limit }, 'could not close cleanly (is Redis answering?): exiting; jobs it held run again once their locks expire');
      process.exit(0);
    }
  } finally {
    // Everything the worker opened is closed. A handle a client library leaves behind (seen: the
    // Cluster client after a node restart) must not keep a stopped worker alive, even one whose stop
    // failed; unref'd, this timer fires only if something else holds the process open.
    setTimeout(() => {
      logger.warn('stopped, but a leftover handle kept the process alive: exiting');
      process.exit(process.exitCode ?? 0);
    }, LEFTOVER_HANDLE_MS).unref();
  }
}

/** How long closing may take past the grace period: aborted jobs get 2 s to hand back, then the connections close. */
const STOP_MARGIN_MS = 5000;

/** How long a stopped worker may take to exit by itself. */
const LEFTOVER_HANDLE_MS = 2000;

export type { Stage };

// `node apps/worker/dist/main.js` runs a worker directly (the CLI's `worker` command is the usual way).
const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  runWorkerUntilSignal().then(
    () => (process.exitCode = 0),
    (error: unknown) => {
      process.stderr.write(`worker: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

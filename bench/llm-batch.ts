/**
 * Message Batches mode, measured: requirements through the real queue path — `submitBatch` with
 * mode `batch`, the four stage workers and the batch collector in this process on a private
 * redis-server, the Anthropic provider pointed at the simulator — with tokens and cost taken from
 * the simulator's ledger at the batch price.
 */
import { createAnthropicProvider } from '@agent-factory/llm';
import { BATCH_PROVIDER, batchModeUsage, connect, createLogger, startBatchCollector, startWorkers, STAGES, submitBatch, type BatchModeUsage } from '@agent-factory/queue';
import { LocalDocsSource, type KnowledgeBase } from '@agent-factory/research';
import type { LedgerData, Simulator } from '@agent-factory/sim';
import { storedResults, waitForBatch } from '../test/helpers/queue-workers.js';
import type { BenchRedis } from './harness.js';

/** Collection and polling shrunk from production's seconds (window 2 s, poll 30 s) so waiting does not dominate. */
export const BATCH_COLLECTOR = { windowMs: 500, tickMs: 100, pollMs: 200 } as const;
const PREFIX = '{afbenchllm}';
const TIMEOUT_MS = 10 * 60_000;

export interface BatchModeRun {
  seconds: number;
  ledger: LedgerData;
  /** What the queue recorded as batch-mode usage (tokens and batch-priced USD). */
  recorded: BatchModeUsage;
  completed: number;
  failed: number;
  /** Agents whose kept draft came from a Message Batch (the others fell back to realtime calls). */
  fromBatches: number;
  /** Agents that passed every gate and are not degraded. */
  passed: number;
}

export interface BatchModeSetup {
  sim: Simulator;
  redis: BenchRedis;
  kb: KnowledgeBase;
  apiKey: string;
  model: string;
  maxTokens: number;
}

/** One factory batch of `requirements` in Message Batches mode, from submit to the last result. */
export async function runBatchMode(setup: BatchModeSetup, requirements: readonly string[]): Promise<BatchModeRun> {
  const { sim, redis, kb, apiKey, model, maxTokens } = setup;
  await redis.flush();
  sim.ledger.reset();
  sim.clearCache();
  const logger = createLogger({}, { level: 'error' });
  const conn = await connect({ redisUrl: redis.url, prefix: PREFIX }, { logger });
  const workerConn = await connect({ redisUrl: redis.url, prefix: PREFIX }, { role: 'worker', logger });
  const llm = createAnthropicProvider({ apiKey, baseURL: sim.url, models: { simple: model, standard: model, complex: model }, maxTokens });
  // The collector first, so the generate stage finds this one (with the short window) rather than starting its own.
  const collector = await startBatchCollector(workerConn, llm, { logger, options: BATCH_COLLECTOR });
  const pool = await startWorkers(workerConn, { stages: [...STAGES], concurrency: {}, deps: { llm, docs: new LocalDocsSource({ knowledgeBase: kb }) }, logger });
  try {
    const started = performance.now();
    // No agents cache: every requirement is generated, as on the realtime side.
    const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })), { mode: 'batch', useCache: false });
    const done = await waitForBatch(conn, batch.id, TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const results = [...(await storedResults(conn, batch.id)).values()];
    return {
      seconds,
      ledger: sim.ledger.snapshot(),
      recorded: await batchModeUsage(conn, batch.id),
      completed: done.counts.completed,
      failed: done.counts.failed,
      fromBatches: results.filter((r) => r.m?.startsWith(`${BATCH_PROVIDER}/`)).length,
      passed: results.filter((r) => r.p === true && r.d === undefined).length,
    };
  } finally {
    await pool.close();
    await collector.close();
    await workerConn.close();
    await conn.close();
  }
}

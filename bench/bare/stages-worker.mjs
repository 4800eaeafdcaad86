// Baseline worker process of bench/e2e.ts: bare BullMQ running four chained stages the way an
// `agent-factory worker` runs ours. One shared ioredis client, four Workers (one per stage) with the
// same per-stage concurrency; each processor adds the next stage's job with a deterministic id, the
// last one counts the item as done (INCR). Prints "ready" once every Worker is connected.
// Two kinds of stages (BARE_WORK):
// - `noop` (default): each stage only passes its job's data on.
// - `pipeline`: each stage runs core's function for it on the job's requirement (plan, research from
//   the bundled docs, the offline draft, the gates) and carries its output to the next stage in the
//   job's data, as ours does; no results, metrics, cache, priorities or exactly-once bookkeeping.
// Env: REDIS_URL, BARE_PREFIX, BARE_CONCURRENCY (JSON {stage: n}), BARE_KEEP_COMPLETED (JSON
// removeOnComplete, ours' KEEP_COMPLETED by default in bench/e2e.ts; false keeps every completed job).
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const STAGES = ['analyze', 'research', 'generate', 'validate'];
const PREFIX = process.env.BARE_PREFIX ?? 'bare';
const concurrency = JSON.parse(process.env.BARE_CONCURRENCY ?? '{}');
const jobOptions = { removeOnComplete: JSON.parse(process.env.BARE_KEEP_COMPLETED ?? 'true') };
const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queues = Object.fromEntries(STAGES.map((s) => [s, new Queue(s, { connection, prefix: PREFIX, defaultJobOptions: jobOptions })]));

/** What each stage adds to its job's data before passing it on. */
async function pipelineWork() {
  const core = await import('@agent-factory/core');
  const { LocalDocsSource } = await import('@agent-factory/research');
  const docs = new LocalDocsSource();
  return {
    analyze: async (d) => ({ plan: core.planRequirement({ requirement: d.r }) }),
    research: async (d) => ({ research: await core.researchPlan(d.plan, docs) }),
    generate: async (d) => ({ draft: await core.offlineProvider.generate({ ...d.plan, research: d.research }) }),
    validate: async (d) => ({ passed: (await core.validateAgent(d.draft.content, core.validationContext(d.plan))).passed }),
  };
}
const work = process.env.BARE_WORK === 'pipeline' ? await pipelineWork() : {};

const workers = STAGES.map((stage, i) => {
  const next = STAGES[i + 1];
  const own = work[stage] ?? (async () => ({}));
  const processor = async (job) => {
    const data = { ...job.data, ...(await own(job.data)) };
    if (next) await queues[next].add(next, data, { jobId: `${data.b}-${data.k}-${next}` });
    else await connection.incr(`${PREFIX}:done`);
  };
  const worker = new Worker(stage, processor, { connection, prefix: PREFIX, concurrency: concurrency[stage] ?? 1 });
  worker.on('error', (error) => process.stderr.write(`${stage}: ${error.message}\n`));
  return worker;
});
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(Object.values(queues).map((q) => q.close()));
  await connection.quit();
  process.exit(0);
});

// Baseline worker process of bench/e2e.ts: bare BullMQ running four chained no-op stages the way an
// `agent-factory worker` runs ours. One shared ioredis client, four Workers (one per stage) with the
// same per-stage concurrency; each processor only adds the next stage's job with a deterministic id,
// the last one counts the item as done (INCR). Prints "ready" once every Worker is connected.
// Env: REDIS_URL, BARE_CONCURRENCY (JSON {stage: n}), BARE_KEEP_COMPLETED (JSON removeOnComplete,
// ours' KEEP_COMPLETED by default in bench/e2e.ts; false keeps every completed job, for bytes).
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const STAGES = ['analyze', 'research', 'generate', 'validate'];
const PREFIX = 'bare';
const concurrency = JSON.parse(process.env.BARE_CONCURRENCY ?? '{}');
const jobOptions = { removeOnComplete: JSON.parse(process.env.BARE_KEEP_COMPLETED ?? 'true') };
const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queues = Object.fromEntries(STAGES.map((s) => [s, new Queue(s, { connection, prefix: PREFIX, defaultJobOptions: jobOptions })]));
const workers = STAGES.map((stage, i) => {
  const next = STAGES[i + 1];
  const processor = next
    ? async (job) => void (await queues[next].add(next, job.data, { jobId: `${job.data.b}-${job.data.k}-${next}` }))
    : async () => void (await connection.incr(`${PREFIX}:done`));
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

// Stage outputs travel in the data of the item's next stage job: what Bull Board shows of a job is
// what its stage worked from, and a stage run again after it had enqueued the next job does not
// repeat its work (for generate: no second provider call, which costs money).
import { offlineProvider, type LlmProvider } from '@agent-factory/core';
import { stageJobId, submitBatch, type Stage } from '@agent-factory/queue';
import { expect, it } from 'vitest';
import { factoryRig } from './helpers/factory-rig.js';
import { inputIds, leftoverItems, sleep, waitForBatch } from './helpers/queue-workers.js';
import { testPrefix } from './helpers/redis.js';

const rig = factoryRig();

it('each stage job carries the outputs its stage works from, and no item record is left', async () => {
  const conn = await rig.open(testPrefix());
  await rig.workers(conn.config.prefix);
  const batch = await submitBatch(conn, [{ id: 'a', requirement: 'Review Terraform plans for public S3 buckets' }]);
  await waitForBatch(conn, batch.id, 20_000);
  const [[, k]] = (await inputIds(conn, batch.id)) as [[string, string]];
  const job = (stage: Stage, a?: 1) => conn.queues[stage].getJob(stageJobId(stage, { b: batch.id, k, ...(a ? { a } : {}) }));
  const outputs = async (stage: Stage, a?: 1) => Object.keys((await job(stage, a))?.data.o ?? {}).sort();
  expect(await outputs('analyze')).toEqual([]);
  expect(await outputs('research')).toEqual(['plan']);
  expect(await outputs('generate', 1)).toEqual(['plan', 'research']);
  expect(await outputs('validate', 1)).toEqual(['draft1', 'plan', 'research']);
  const validate = await job('validate', 1);
  expect(validate?.data.o.plan.plan.analysis.requirement).toBe('Review Terraform plans for public S3 buckets');
  expect(validate?.data.o.draft1.draft.content).toMatch(/^---\nname: /);
  expect(validate?.data.o.draft1.worker).toMatch(/:\d+$/);
  expect(await leftoverItems(conn)).toBe(0);
}, 30_000);

it('a generate job run again after it had enqueued validate makes no second provider call', async () => {
  const conn = await rig.open(testPrefix(), { attempts: 2, backoffMs: 20 });
  let calls = 0;
  let release: () => void = () => undefined;
  const validateAdded = new Promise<void>((r) => (release = r));
  // The first attempt's provider call succeeds; the attempt then dies (here: the provider throws
  // after the test enqueued validate, as a worker would die between enqueueing and completing).
  const provider: LlmProvider = {
    name: 'counting',
    async generate(request, options) {
      calls++;
      const draft = await offlineProvider.generate(request, options);
      if (calls === 1) {
        await validateAdded;
        throw new Error('worker lost after enqueueing validate');
      }
      return draft;
    },
  };
  // No validate workers: the item waits in validate, unfinished, where a rerun of generate would still call the provider.
  await rig.workers(conn.config.prefix, { stages: ['analyze', 'research', 'generate'], deps: { llm: provider } }, { attempts: 2, backoffMs: 20 });
  const batch = await submitBatch(conn, [{ id: 'a', requirement: 'Audit Kafka consumer lag alerts' }]);
  while (calls === 0) await sleep(20);
  const [[, k]] = (await inputIds(conn, batch.id)) as [[string, string]];
  await conn.queues.validate.add('validate', { b: batch.id, k, a: 1 }, { jobId: stageJobId('validate', { b: batch.id, k, a: 1 }) });
  release();
  const generate = stageJobId('generate', { b: batch.id, k, a: 1 });
  const deadline = Date.now() + 10_000;
  while ((await conn.queues.generate.getJobState(generate)) !== 'completed' && Date.now() < deadline) await sleep(20);
  expect(await conn.queues.generate.getJobState(generate)).toBe('completed');
  expect((await conn.queues.generate.getJob(generate))?.attemptsMade).toBeGreaterThanOrEqual(1);
  expect(calls).toBe(1);
}, 30_000);

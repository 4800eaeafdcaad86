// Case 4: the research source (the docs server over Streamable HTTP, as Context7 would be) killed
// mid-batch. Research degrades instead of failing: every requirement still completes, the ones
// researched after the kill say so, and once the server is back research works again.
import { planRequirement, researchTargets } from '@agent-factory/core';
import { batchKeys, stageJobId, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syntheticRequirements } from '../../bench/synthetic.js';
import { countBatch, expectSound, report, settle, type Counts } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { startRig, type FaultRig } from './rig.js';
import { startDocsServer, type DocsServerProcess } from '../helpers/docs-server.js';
import { inputIds, sleep } from '../helpers/queue-workers.js';
import { startRedis } from '../helpers/redis.js';

const REQUIREMENTS = 300;
/** The reason research gives for a library the source could not answer (a gap or "no usable docs" is not a failure). */
const RESEARCH_FAILED = /^research for .+ failed: /;

let rig: FaultRig;
let docs: DocsServerProcess;
let conn: FactoryConnection;
let fleet: Fleet;

beforeAll(async () => {
  const [redis, docsServer] = await Promise.all([startRedis({ appendonly: false }), startDocsServer()]);
  docs = docsServer;
  rig = await startRig(redis, {
    AF_RESEARCH: 'context7',
    CONTEXT7_URL: docs.url,
    CONTEXT7_API_KEY: 'test',
    // No shared docs cache: every requirement asks the server, so "after the kill" means "asked a dead server".
    AF_CACHE: 'none',
    // One research job at a time per worker spreads research over the batch, so the kill lands inside it.
    AF_CONCURRENCY: 'research=1',
    // Locks are not what this case tests: long enough that a worker starved of CPU on a loaded
    // machine keeps them (an expired one runs a stage twice, and the later research output wins).
    AF_LOCK_MS: '10000',
  });
  ({ fleet, conn } = rig);
  await fleet.grow(2);
}, 60_000);

afterAll(() => rig?.stop(() => docs?.stop()));

/** Input ids whose research is over (the item's generate job exists: research enqueued it with its output; or the item finished), and those finished. */
async function researchProgress(batchId: string, ids: [string, string][]): Promise<{ researched: Set<string>; finished: Set<string> }> {
  const keys = batchKeys(conn.config.prefix, batchId);
  const pipeline = conn.redis.pipeline();
  // Completed generate jobs stay too (the newest 1,000 per stage, more than this batch has).
  for (const [, k] of ids) pipeline.exists(conn.queues.generate.toKey(stageJobId('generate', { b: batchId, k, a: 1 }))).hexists(keys.results, k);
  const replies = (await pipeline.exec()) ?? [];
  const finished = new Set(ids.filter((_, i) => replies[2 * i + 1]?.[1] === 1).map(([id]) => id));
  return { researched: new Set([...finished, ...ids.filter((_, i) => replies[2 * i]?.[1] === 1).map(([id]) => id)]), finished };
}

const researchFailed = (counts: Counts, id: string): boolean => (counts.byInput.get(id)?.d ?? []).some((d) => RESEARCH_FAILED.test(d));

it('the research source killed mid-batch: every requirement completes, those researched after the kill marked degraded; back after a restart', async () => {
  const inputs = syntheticInputs(REQUIREMENTS, 404);
  const started = Date.now();
  const batch = await submitBatch(conn, inputs, { useCache: false });
  const ids = await inputIds(conn, batch.id);
  let progress = await researchProgress(batch.id, ids);
  // Early, so most requirements meet the dead server: on an idle machine research takes only seconds in all.
  while ((progress.researched.size < REQUIREMENTS / 10 || progress.finished.size === 0) && Date.now() - started < 60_000) {
    await sleep(25);
    progress = await researchProgress(batch.id, ids);
  }
  // The kill lands between two research jobs: research is paused until the ones running are over, so
  // every requirement researched from here on met the dead server, however fast the machine is (on a
  // fast one the rest of the batch's research, failing fast, takes well under a second).
  await conn.queues.research.pause();
  while ((await conn.queues.research.getActiveCount()) > 0) await sleep(10);
  const researched = (await researchProgress(batch.id, ids)).researched;
  // Finished before the kill: their results can no longer change.
  const before = (await researchProgress(batch.id, ids)).finished;
  await docs.kill('SIGKILL');
  await conn.queues.research.resume();
  await settle(conn, batch.id, 90_000);
  const counts = await countBatch(conn, batch.id);

  const needsDocs = new Map(inputs.map((i) => [i.id, researchTargets(planRequirement({ requirement: i.requirement }).analysis).length > 0]));
  const after = inputs.filter((i) => !researched.has(i.id)).map((i) => i.id);
  const afterWithDocs = after.filter((id) => needsDocs.get(id));
  const degradedAfter = afterWithDocs.filter((id) => researchFailed(counts, id));
  const degradedBefore = [...before].filter((id) => researchFailed(counts, id));

  // The server back on the same port: after the source's reconnect delay, research answers again.
  await docs.restart();
  await sleep(1500);
  // Texts of their own ("(again i)"), so none is the first batch's requirement.
  const again = syntheticRequirements(30, 405).map((requirement, i) => ({ id: `again${i}`, requirement: requirement.replace('(case', '(again') }));
  const second = await submitBatch(conn, again, { useCache: false });
  await settle(conn, second.id, 60_000);
  const recovered = await countBatch(conn, second.id);
  const degradedAgain = again.filter((i) => researchFailed(recovered, i.id));

  report('research source killed mid-batch', counts, {
    'finished before the kill': before.size,
    'researched before the kill': researched.size,
    'researched after that (with libraries)': afterWithDocs.length,
    'of them degraded': degradedAfter.length,
    'degraded before the kill': degradedBefore.length,
    'after the restart': `${recovered.completed}/${again.length} completed, ${degradedAgain.length} degraded`,
    'run time': `${Date.now() - started} ms`,
  });
  expectSound(counts);
  expect(counts.completed).toBe(REQUIREMENTS);
  expect(before.size).toBeGreaterThan(0);
  expect(afterWithDocs.length).toBeGreaterThan(REQUIREMENTS / 4);
  expect(degradedAfter).toEqual(afterWithDocs);
  expect(degradedBefore).toEqual([]);
  expectSound(recovered);
  expect(recovered.completed).toBe(again.length);
  expect(degradedAgain).toEqual([]);
}, 240_000);

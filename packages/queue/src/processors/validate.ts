import { addUsage, assembleResult, billedOf, offlineFallback, offlineProvider, validateAgent, validationContext, type GenerationOutcome } from '@agent-factory/core';
import { agentStored, agentWrite, releaseAgentClaim } from '../agent-claim.js';
import { chargeCancelled, heldDrafts } from '../cancelled-spend.js';
import { finalizeItem } from '../items.js';
import { packResult, summarizeAgent } from '../result-codec.js';
import { enqueueNext, input, type StageHandler } from './context.js';
import { BATCH_PROVIDER } from '../batch-mode/context.js';
import { completedRecord, resultDollars } from '../metrics/records.js';
import { draftName, type QueueTiming, type ReviewOutput } from './outputs.js';

/**
 * Validate: the four gates on the draft. A first draft that fails goes back to generate once with
 * the findings; a second failure (or an offline draft failing) falls back to the offline generator,
 * exactly as core's generateAndValidate does. Then the item ends, exactly once.
 */
export const validateStage: StageHandler = {
  inputs: (data) => (data.a === 2 ? ['plan', 'research', 'draft1', 'review1', 'draft2'] : ['plan', 'research', 'draft1']),
  async run(ctx, work) {
    const { data } = work;
    const attempt = data.a ?? 1;
    const planOut = input(work, 'plan');
    const researchOut = input(work, 'research');
    const current = input(work, draftName(attempt));
    const first = attempt === 2 ? input(work, 'draft1') : undefined;
    const review = attempt === 2 ? input(work, 'review1') : undefined;
    const { plan } = planOut;
    const { research } = researchOut;

    const t = performance.now();
    const report = await validateAgent(current.draft.content, validationContext(plan));
    const ms = {
      generate: current.ms + (first?.ms ?? 0),
      validate: performance.now() - t + (review?.ms ?? 0),
    };
    const drafts = [first, current].filter((d) => d !== undefined);
    // An offline draft keeps its estimate to itself; what LLM attempts billed is carried apart, at their model.
    const keptOffline = current.provider === offlineProvider.name;
    const billed = billedOf(drafts.map((d) => d.draft));
    const usage = keptOffline || !first ? current.draft.usage : addUsage(first.draft.usage, current.draft.usage);
    let outcome: GenerationOutcome;
    const degraded = [...new Set([...(first?.draft.degraded ?? []), ...(current.draft.degraded ?? [])])];
    if (report.passed) {
      outcome = { draft: current.draft, provider: current.provider, report, attempts: attempt, usage, ...(keptOffline && billed ? { billed } : {}), degraded, ms };
    } else if (attempt === 1 && current.provider !== offlineProvider.name && current.draft.truncated === undefined) {
      const findings = report.gates.flatMap((g) => g.findings);
      const review1: ReviewOutput = { findings, ms: ms.validate, wait: work.timing.wait, retries: work.timing.retries };
      work.logger.debug({ findings: findings.length }, 'draft failed the gates; generating again with the findings');
      return enqueueNext(ctx.conn.queues, 'generate', work, 2, { ...work.inputs, review1 });
    } else {
      const { truncated } = current.draft;
      const reason = truncated === undefined ? {} : { reason: `${current.provider}: ${truncated}; the offline generator answered` };
      outcome = await offlineFallback(plan, research, current.provider, { billed, ms, degraded, ...reason });
    }
    const result = assembleResult({}, plan, research, outcome, { analyze: planOut.ms, research: researchOut.ms });
    const waits = (outputs: readonly QueueTiming[], own = 0): number => outputs.reduce((sum, o) => sum + (o.wait ?? 0), own);
    // Once, for the record and the summary. An unpriced model's cost is left out of the summary (index.json), not shown as $0.
    const costUsd = resultDollars(result, current.provider === BATCH_PROVIDER, ctx.prices);
    const record = completedRecord(result, {
      batch: data.b,
      key: data.k,
      ...(planOut.at !== undefined ? { enqueuedAt: planOut.at } : {}),
      stages: {
        analyze: { wait: waits([planOut]), run: planOut.ms },
        research: { wait: waits([researchOut]), run: researchOut.ms },
        generate: { wait: waits(drafts), run: ms.generate },
        validate: { wait: waits(review ? [review] : [], work.timing.wait), run: ms.validate },
      },
      // Job retries of every stage, plus the provider's own retries inside each draft's generation.
      retries: [planOut, researchOut, ...drafts, ...(review ? [review] : [])].reduce((sum, o) => sum + (o.retries ?? 0), work.timing.retries)
        + drafts.reduce((sum, d) => sum + (d.draft.retries ?? 0), 0),
      provider: current.provider,
      ...(review ? { firstFindings: review.findings } : {}),
      cost: costUsd,
      ...(ctx.prices ? { prices: ctx.prices } : {}),
    });
    const summary = summarizeAgent(result, { worker: current.worker, ...(costUsd !== null ? { costUsd } : {}) });
    // Compressed once, for the result and its cache copy.
    const packed = packResult(summary);
    const metrics = ctx.metrics.built(record);
    // A degraded agent (the offline generator stood in for a provider fault) is not cached: identical
    // requirements would get the stand-in for the cache's lifetime, long after the fault.
    const cacheIt = (summary.d?.length ?? 0) === 0;
    // Cached in the step that ends the item, which drops its claim (agent-claim.ts): an identical
    // requirement waiting on the claim that sees this item ended must find the agent, not generate it
    // again. One script, so the cache write fails only when the item's own end does (then retried).
    const agent = cacheIt ? agentWrite(ctx, data, packed) : undefined;
    const finalized = await finalizeItem(ctx.conn, data.b, data.k, summary, metrics, packed.stored, agent);
    if (finalized.ended) ctx.metrics.observe(metrics?.record);
    // Ended meanwhile: by its batch's cancel, it still counts what its drafts were billed.
    else await chargeCancelled(ctx, data, heldDrafts(data, work.inputs), work.logger).catch((error: unknown) => void (ctx.writeGate.noticed(error) || work.logger.warn({ err: error }, 'could not count the cancelled requirement\'s billed drafts')));
    // The script stored the agent whether or not it ended the item, and took the jobs parked on the claim: they find it now.
    if (cacheIt) await agentStored(ctx, finalized.waiters);
    // No agent to reuse: a waiter generates its own. Best effort: a lost release only makes the waiter notice later.
    else await releaseAgentClaim(ctx, data, finalized.waiters).catch((error: unknown) => void (ctx.writeGate.noticed(error) || work.logger.warn({ err: error }, 'could not drop the agent\'s claim')));
  },
};

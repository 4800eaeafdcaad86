import type Anthropic from '@anthropic-ai/sdk';
import type { GenerationResult } from '@agent-factory/core';
import { clampAgentFile, costIfPriced, costOf, cutOffReason, usageFromApi } from '@agent-factory/llm';
import { metricsPayload } from '../metrics/store.js';
import { loadItem } from '../items.js';
import { batchKeys, cancelledDraftsKey, itemKey, takenDraftField } from '../keys.js';
import { draftCost } from '../draft-spend.js';
import { draftName, type DraftOutput } from '../processors/outputs.js';
import { enqueueStage, fallbackJobId, type StageJobData } from '../queues.js';
import { continueTrace, describeGeneration } from '../tracing.js';
import { BATCH_PROVIDER, type CollectorContext } from './context.js';
import { parseMemberId, type MemberInfo } from './keys.js';
import { generationRequestOf, memberFields, wantsDraft } from './requests.js';
import { applyDraftScript, applyFallbackScript } from './scripts.js';

type ResultLine = Anthropic.Messages.MessageBatchIndividualResponse;

const APPLY_IN_FLIGHT = 32;

export interface ApplySummary {
  succeeded: number;
  fallbacks: number;
}

/** Members' registrations (priority, when they started waiting); a lost one gets defaults. */
export async function memberInfos(c: CollectorContext, ids: readonly string[]): Promise<Map<string, MemberInfo>> {
  const pipeline = c.conn.redis.pipeline();
  for (const id of ids) pipeline.get(c.keys.member(id));
  const replies = (await pipeline.exec()) ?? [];
  const now = Date.now();
  return new Map(ids.map((id, i) => {
    const raw = replies[i]?.[1];
    const info = typeof raw === 'string' ? (JSON.parse(raw) as MemberInfo) : { p: 1, t: now };
    return [id, info];
  }));
}

/**
 * A member goes realtime (errored, expired, canceled, missing): a generate job that skips batch mode,
 * with its own deterministic id (the batch-mode job of the same attempt has completed). Always
 * enqueued, so a crash between counting and enqueueing loses nothing.
 */
export async function fallback(c: CollectorContext, groupId: string, customId: string, memberId: string, info: MemberInfo, outcome: string): Promise<void> {
  const data = parseMemberId(memberId);
  const { keys } = c;
  const first = await applyFallbackScript.run(c.conn.redis, [keys.groupApplied(groupId), keys.usage, keys.batchUsage(data.b)], [customId, outcome, c.conn.config.retentionSeconds]);
  if (first === 1) c.logger.info({ group: groupId, member: memberId, outcome }, 'Message Batch request goes realtime');
  const job: StageJobData = { ...data, m: 'realtime' };
  await continueTrace(
    info.c,
    info.t,
    () => c.conn.queues.generate.add('generate', job, { jobId: fallbackJobId(data), priority: info.p }),
    (span) => span.setAttributes({ 'agent_factory.message_batch.outcome': outcome }),
  );
}

function answerText(message: Anthropic.Message): string {
  return message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
}

/** A succeeded result: clamped like a realtime answer, stored as the draft (batch-priced usage), validate enqueued. */
async function applySucceeded(c: CollectorContext, groupId: string, customId: string, memberId: string, info: MemberInfo, message: Anthropic.Message): Promise<boolean> {
  const data = parseMemberId(memberId);
  const item = await loadItem(c.conn, data, memberFields(data.a));
  const usage = usageFromApi(message.usage);
  let costUsd = 0;
  try {
    costUsd = costOf(usage, message.model, { batch: true, ...(c.llm.settings.prices ? { prices: c.llm.settings.prices } : {}) });
  } catch (error) {
    c.logger.warn({ err: error, model: message.model }, 'no price for the batch result\'s model: booked at $0');
  }
  const wanted = wantsDraft(item, data.a);
  // Unwanted (its batch cancelled, or its item ended), it is kept for its bill only: no content.
  let draft: GenerationResult = { content: '', usage, model: message.model };
  if (wanted) {
    const request = generationRequestOf(item, data.a);
    const { content, changes } = clampAgentFile(answerText(message), request);
    if (changes.length > 0) c.logger.info({ member: memberId, model: message.model, changes }, 'model answer clamped to the tools policy');
    // Cut off at max_tokens: validate then skips a second request that would be cut off again.
    const truncated = message.stop_reason === 'max_tokens' ? { truncated: cutOffReason(request.complexity.tier, c.llm.settings.maxTokens) } : {};
    draft = { content, usage, model: message.model, ...truncated };
  }
  const cost = draftCost(draft, true, c.llm.settings.prices);
  const output: DraftOutput = { draft, provider: BATCH_PROVIDER, ms: Date.now() - info.t, worker: c.workerId, ...(cost ? { cost } : {}) };
  const { keys } = c;
  const draftField = draftName(data.a);
  // Recorded by the script only if the requirement has ended, its batch not cancelled: the spend still shows in the report.
  const spend = metricsPayload(c.conn.config.prefix, {
    at: Date.now(), batch: data.b, key: data.k, outcome: 'cancelled', spendOnly: true,
    model: message.model, mode: 'batch', usage, cost: costUsd,
    realtimeCost: costIfPriced(usage, message.model, c.llm.settings.prices ? { prices: c.llm.settings.prices } : {}) ?? 0,
  }, { retentionSeconds: c.conn.config.retentionSeconds });
  const stored = Number(
    await applyDraftScript.run(
      c.conn.redis,
      [keys.groupApplied(groupId), keys.usage, keys.batchUsage(data.b), itemKey(c.conn.config.prefix, data.b, data.k), batchKeys(c.conn.config.prefix, data.b).batch, cancelledDraftsKey(c.conn.config.prefix), ...spend.keys],
      [customId, usage.input, usage.output, usage.cacheCreation, usage.cacheRead, costUsd, c.conn.config.retentionSeconds, draftField, JSON.stringify(output), takenDraftField(data.b, data.k, draftField), ...spend.args],
    ),
  );
  // 2: applied by an earlier run that may have died before enqueueing validate.
  const enqueue = (stored === 1 && wanted) || (stored === 2 && !item.final && item.fields[draftField] !== undefined);
  if (enqueue) {
    await continueTrace(
      info.c,
      info.t,
      () => enqueueStage(c.conn.queues, 'validate', { b: data.b, k: data.k, a: data.a }, info.p),
      (span) => describeGeneration(span, { usage, model: message.model }, { 'agent_factory.message_batch.outcome': 'succeeded' }),
    );
  }
  return stored === 1;
}

/**
 * Streams an ended Anthropic batch's results (JSONL, any order) and applies each to its member;
 * members with no result line go realtime too. Idempotent: a crashed run is simply run again.
 */
export async function applyResults(c: CollectorContext, groupId: string, anthropicId: string): Promise<ApplySummary> {
  const members = new Map(Object.entries(await c.conn.redis.hgetall(c.keys.groupMembers(groupId))));
  const infos = await memberInfos(c, [...members.values()]);
  const summary: ApplySummary = { succeeded: 0, fallbacks: 0 };
  const seen = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const run = (work: Promise<unknown>): void => {
    const tracked: Promise<void> = work.then(() => undefined, (error: unknown) => void (failure ??= { error })).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const apply = async (line: ResultLine, memberId: string): Promise<void> => {
    const info = infos.get(memberId)!;
    if (line.result.type === 'succeeded') {
      if (await applySucceeded(c, groupId, line.custom_id, memberId, info, line.result.message)) summary.succeeded++;
      return;
    }
    const why = line.result.type === 'errored' ? `errored: ${line.result.error.error.message}` : line.result.type;
    summary.fallbacks++;
    await fallback(c, groupId, line.custom_id, memberId, info, why);
  };
  for await (const line of await c.client.messages.batches.results(anthropicId)) {
    const memberId = members.get(line.custom_id);
    // Not ours (an adopted batch that was another's), or a repeated line.
    if (memberId === undefined || seen.has(line.custom_id)) continue;
    seen.add(line.custom_id);
    run(apply(line, memberId));
    if (inFlight.size >= APPLY_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  for (const [customId, memberId] of members) {
    if (seen.has(customId)) continue;
    summary.fallbacks++;
    await fallback(c, groupId, customId, memberId, infos.get(memberId)!, 'missing from the results');
  }
  return summary;
}
